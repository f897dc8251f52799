import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import type { FieldOrigin, GraphNodeDto, GraphProgress, GraphTopology } from '../../../common/graph-contract'
import type { CortexApi } from '../api/cortex-api'
import type { ReplState } from '../repl/repl-state'
import { layoutGraph, STOP, type LayoutBox } from './graph-layout'
import { applyProgress, pickGraph, runsByNode } from './graph-model'
import './graph.css'

const BADGE: Record<FieldOrigin, { letter: string; title: string }> = {
  LM: { letter: 'L', title: 'filled by the LM' },
  dep: { letter: 'd', title: 'from a dep function' },
  'node-dep': { letter: 'n', title: 'a node the LM fills as a dep' },
  recall: { letter: 'r', title: 'recalled from an earlier node' },
  gate: { letter: 'g', title: 'asked at a gate' }
}
/** Run badges drawn on one node; more are counted. */
const MAX_BADGES = 3

/**
 * The graph view: the topology of a graph of the namespace (layered, top-down; loops curve back on
 * the right) with the node each live run is on highlighted and badged with its run id. A click on
 * a node types its name at the prompt.
 */
export function GraphPanel({ api, state }: { api: CortexApi; state: ReplState }) {
  const [graphs, setGraphs] = useState<GraphTopology[]>([])
  const [runs, setRuns] = useState<ReadonlyMap<string, GraphProgress>>(new Map())
  const [picked, setPicked] = useState<string | undefined>()
  const [recentStart, setRecentStart] = useState<string | undefined>()
  const [error, setError] = useState<string | undefined>()
  const seenRuns = useRef(new Set<string>())

  useEffect(() => {
    let disposed = false
    const refresh = () => {
      if (api.connection.state !== 'connected') return
      api.listGraphs().then(
        (listed) => {
          if (disposed) return
          setGraphs(listed.graphs)
          setRuns(new Map(listed.runs.map((run) => [run.runId, run])))
          setError(undefined)
        },
        (failure: unknown) => !disposed && setError(`could not list the graphs: ${(failure as Error).message}`)
      )
    }
    refresh()
    const subscriptions = [
      api.onNamespaceChange(refresh),
      api.onConnectionChange(refresh),
      api.onGraphProgress((progress) => {
        // The view follows the graph of the newest run (until the user picks one).
        if (!seenRuns.current.has(progress.runId)) {
          seenRuns.current.add(progress.runId)
          setRecentStart(progress.graph)
        }
        setRuns((current) => applyProgress(current, progress))
      })
    ]
    return () => {
      disposed = true
      subscriptions.forEach((s) => s.dispose())
    }
  }, [api])

  const graph = pickGraph(graphs, picked, recentStart)
  const layout = useMemo(() => (graph ? layoutGraph(graph) : undefined), [graph])
  const here = useMemo(() => (graph ? runsByNode(runs, graph) : new Map<string, GraphProgress[]>()), [runs, graph])
  const nodes = useMemo(() => new Map(graph?.nodes.map((n) => [n.name, n])), [graph])

  return (
    <section className="panel graph-view" data-testid="graph-view">
      <header className="panel-header">
        <span>Graph</span>
        {graphs.length > 1 && (
          <select value={graph?.name} onChange={(e) => setPicked(e.target.value)} data-testid="graph-picker" aria-label="Graph to show">
            {graphs.map((g) => (
              <option key={g.name} value={g.name}>
                {g.name}
              </option>
            ))}
          </select>
        )}
        {graphs.length === 1 && <span data-testid="graph-name">{graph?.name}</span>}
        <span className="spacer" />
        {runs.size > 0 && <span data-testid="graph-live">{runs.size} live</span>}
      </header>
      {error && <div className="graph-notice">{error}</div>}
      <div className="panel-body graph-body">
        {!graph || !layout ? (
          <div className="graph-empty">No graph in the namespace: %load a graph file, or bind one (const g = graph(Start)).</div>
        ) : (
          <svg
            className="graph-svg"
            viewBox={`0 0 ${layout.width} ${layout.height}`}
            style={{ maxWidth: layout.width, maxHeight: layout.height }}
            role="img"
            aria-label={`graph ${graph.name}`}
          >
            <defs>
              <marker id="graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" />
              </marker>
            </defs>
            {layout.edges.map((edge) => (
              <path
                key={`${edge.from}→${edge.to}`}
                className={`graph-edge${edge.back ? ' back' : ''}`}
                d={edge.path}
                markerEnd="url(#graph-arrow)"
                data-testid="graph-edge"
                data-from={edge.from}
                data-to={edge.to === STOP ? 'stop' : edge.to}
              />
            ))}
            {layout.boxes.map((box) =>
              box.id === STOP ? (
                <g key={box.id} className="graph-stop" data-testid="graph-stop">
                  <title>the run may end here</title>
                  <circle cx={box.x + box.width / 2} cy={box.y + box.height / 2} r={box.width / 2} />
                  <rect x={box.x + box.width / 2 - 4} y={box.y + box.height / 2 - 4} width={8} height={8} />
                </g>
              ) : (
                <NodeBox
                  key={box.id}
                  box={box}
                  node={nodes.get(box.id)!}
                  start={box.id === graph.start}
                  runs={here.get(box.id) ?? []}
                  onPick={() => state.insert(box.id)}
                />
              )
            )}
          </svg>
        )}
      </div>
    </section>
  )
}

function NodeBox({ box, node, start, runs, onPick }: { box: LayoutBox; node: GraphNodeDto; start: boolean; runs: GraphProgress[]; onPick: () => void }) {
  const waiting = runs.some((run) => run.state === 'waiting')
  const classes = ['graph-node', start && 'start', node.isTerminal && 'terminal', runs.length > 0 && 'active', waiting && 'waiting'].filter(Boolean).join(' ')
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Enter' && event.key !== ' ') return
    event.preventDefault()
    onPick()
  }
  // Run pills sit above the box's top right corner, right to left, clear of the name.
  let right = box.x + box.width - 4
  const pills = runs.slice(0, MAX_BADGES).map((run) => {
    const label = run.state === 'waiting' ? `${run.runId} · gate` : run.runId
    const width = 12 + label.length * 6.2
    const pill = { run, label, width, right }
    right -= width + 4
    return pill
  })
  return (
    <g
      className={classes}
      data-testid="graph-node"
      data-node={node.name}
      data-runs={runs.map((run) => `${run.runId}${run.state === 'waiting' ? ':gate' : ''}`).join(' ') || undefined}
      role="button"
      tabIndex={0}
      aria-label={`${node.name}${runs.length ? `: ${runs.map((r) => `${r.runId}${r.state === 'waiting' ? ' waiting at a gate' : ''}`).join(', ')}` : ''}`}
      onClick={onPick}
      onKeyDown={onKeyDown}
    >
      <title>{`${node.name}${node.isTerminal ? ' (ends the run)' : ''}\n${node.fields.map((f) => `${f.name}: ${BADGE[f.origin].title}`).join('\n')}\nclick to type its name at the prompt`}</title>
      <rect className="box" x={box.x} y={box.y} width={box.width} height={box.height} rx={6} />
      {node.isTerminal && <rect className="terminal-ring" x={box.x + 3} y={box.y + 3} width={box.width - 6} height={box.height - 6} rx={4} />}
      <text className="name" x={box.x + box.width / 2} y={box.y + 18}>
        {node.name}
      </text>
      {node.fields.map((field, i) => (
        <g key={field.name} className={`badge ${field.origin}`} data-testid="graph-field" data-origin={field.origin}>
          <title>{`${field.name}: ${BADGE[field.origin].title}`}</title>
          <rect x={box.x + 12 + i * 14} y={box.y + 26} width={12} height={12} rx={2} />
          <text x={box.x + 18 + i * 14} y={box.y + 35.5}>
            {BADGE[field.origin].letter}
          </text>
        </g>
      ))}
      {pills.map(({ run, label, width, right }) => (
        <g key={run.runId} className={`run-badge ${run.state}`} data-testid="graph-run-badge">
          <rect x={right - width} y={box.y - 15} width={width} height={15} rx={7.5} />
          <text x={right - width / 2} y={box.y - 4}>
            {label}
          </text>
        </g>
      ))}
      {runs.length > MAX_BADGES && (
        <text className="run-more" x={box.x + box.width - 4} y={box.y + box.height - 4}>
          +{runs.length - MAX_BADGES}
        </text>
      )}
    </g>
  )
}
