import { describe, expect, it } from 'vitest'
import type { GraphProgress, GraphTopology } from '../../../common/graph-contract'
import { applyProgress, pickGraph, runsByNode } from './graph-model'

const graph = (name: string, start: string): GraphTopology => ({ name, start, nodes: [], edges: [] })
const at = (runId: string, node: string, state: GraphProgress['state'] = 'running', start = 'Start'): GraphProgress => ({ runId, graph: start, node, state })

describe('graph view model', () => {
  it("shows the user's pick, else the graph of the most recent run, else the first", () => {
    const graphs = [graph('ootd', 'IsTheUserGettingDressed'), graph('releaseNotes', 'ReleaseRequest')]
    expect(pickGraph(graphs, undefined, undefined)?.name).toBe('ootd')
    expect(pickGraph(graphs, undefined, 'ReleaseRequest')?.name).toBe('releaseNotes')
    expect(pickGraph(graphs, 'ootd', 'ReleaseRequest')?.name).toBe('ootd')
    expect(pickGraph(graphs, 'gone', undefined)?.name).toBe('ootd')
    expect(pickGraph([], undefined, undefined)).toBeUndefined()
  })

  it('keeps live runs by node, in run order, and drops a run once it ends', () => {
    let runs = new Map<string, GraphProgress>()
    runs = applyProgress(runs, at('g10', 'Review'))
    runs = applyProgress(runs, at('g2', 'Review', 'waiting'))
    runs = applyProgress(runs, at('g3', 'Draft'))
    runs = applyProgress(runs, at('g4', 'Other', 'running', 'ElseStart'))
    const byNode = runsByNode(runs, graph('review', 'Start'))
    expect(byNode.get('Review')!.map((r) => r.runId)).toEqual(['g2', 'g10'])
    expect([...byNode.keys()].sort()).toEqual(['Draft', 'Review'])
    runs = applyProgress(runs, at('g3', 'Done', 'done'))
    expect(runsByNode(runs, graph('review', 'Start')).has('Draft')).toBe(false)
    expect(runs.has('g3')).toBe(false)
  })
})
