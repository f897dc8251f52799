import type { GraphProgress, GraphTopology } from '../../../common/graph-contract'

/** The graph to show: the one the user picked, else the graph of the most recent run, else the first. */
export function pickGraph(graphs: readonly GraphTopology[], picked: string | undefined, recentStart: string | undefined): GraphTopology | undefined {
  return graphs.find((g) => g.name === picked) ?? graphs.find((g) => g.start === recentStart) ?? graphs[0]
}

/** Live runs after a progress event: a run that ended leaves. */
export function applyProgress(runs: ReadonlyMap<string, GraphProgress>, progress: GraphProgress): Map<string, GraphProgress> {
  const next = new Map(runs)
  if (progress.state === 'running' || progress.state === 'waiting') next.set(progress.runId, progress)
  else next.delete(progress.runId)
  return next
}

/** The live runs of `graph`, by the node each is on (runs not yet at a node are left out). */
export function runsByNode(runs: ReadonlyMap<string, GraphProgress>, graph: GraphTopology): Map<string, GraphProgress[]> {
  const byNode = new Map<string, GraphProgress[]>()
  for (const run of runs.values()) {
    if (run.graph !== graph.start || run.node === undefined) continue
    byNode.set(run.node, [...(byNode.get(run.node) ?? []), run])
  }
  for (const list of byNode.values()) list.sort((a, b) => Number(a.runId.slice(1)) - Number(b.runId.slice(1)))
  return byNode
}
