import type { SelectionResult } from '../../common/graph-contract'
import type { SpanDto } from '../../common/trace-contract'
import type { RunRecord } from '../engine/graph-engine'
import { nodeOf, type NodeInstance } from '../graph/node'
import { ATTR } from '../tracing/tracer'

/** What `$span` holds: the span as plain, frozen data, with its times also in milliseconds. */
export type SelectedSpan = Readonly<SpanDto & { startMs: number; durationMs: number | undefined; source: 'session' | 'imported' }>

export interface Selection extends SelectionResult {
  span: SelectedSpan
  /** The node instance for `$node`, if there is one. */
  instance: NodeInstance | undefined
}

/** What the selection reads of the graph engine (the GraphEngine itself). */
export interface RunLookup {
  getRun(id: string): RunRecord | undefined
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}

const nanosToMs = (nanos: string) => Number(BigInt(nanos) / 1000n) / 1000

function frozenSpan(span: SpanDto, source: SelectedSpan['source']): SelectedSpan {
  const startMs = nanosToMs(span.startTime)
  const durationMs = span.endTime === undefined ? undefined : nanosToMs(span.endTime) - startMs
  // A copy (the runtime's own record of the span stays as it is), its name first: that is what previews show.
  const { name, ...rest } = structuredClone(span)
  return deepFreeze({ name, ...rest, startMs, durationMs, source })
}

/** A run's node instances: the result's trace, the partial trace a failed run's GraphError carries, or (live) its finished steps'. */
function instancesOf(run: RunRecord): readonly NodeInstance[] | undefined {
  if (run.state === 'done') return run.result?.trace
  if (run.state === 'running' || run.state === 'waiting') return run.instances
  const trace = (run.error as { trace?: unknown } | undefined)?.trace
  return Array.isArray(trace) ? (trace as NodeInstance[]) : undefined
}

/**
 * The node instance of a span: for a node span or anything below one, that node's step of its run
 * (the nearest `invoke_workflow` ancestor's run id, the node span's step); for a run span, the
 * run's last node (its result). `chain` is the span, then its ancestors, nearest first.
 */
export function nodeForChain(chain: readonly SpanDto[], runs: RunLookup): { instance?: NodeInstance; label?: string; note?: string } {
  const runAt = chain.findIndex((span) => typeof span.attributes[ATTR.run] === 'string')
  const nodeAt = chain.findIndex((span) => typeof span.attributes[ATTR.node] === 'string')
  if (runAt < 0) return { note: 'not part of a graph run' }
  const runId = chain[runAt]!.attributes[ATTR.run] as string
  const run = runs.getRun(runId)
  if (!run) return { note: `run ${runId} is no longer kept (the engine keeps the last 20 that ended)` }
  const live = run.state === 'running' || run.state === 'waiting'
  // While the run goes on, a step's instance is there once the step has finished.
  const pending = `${runId} is still ${run.state === 'waiting' ? 'waiting at a gate' : 'running'}`
  const instances = instancesOf(run) ?? []
  if (nodeAt < 0 || nodeAt > runAt) {
    const last = instances.at(-1)
    if (!last) return { note: live ? `${pending}: no step has finished yet` : `${runId} ${run.state} before its first node` }
    if (live) return { instance: last, label: `${nodeOf(last)?.name ?? '?'} (${runId}'s latest finished step, ${instances.length}; it goes on)` }
    return { instance: last, label: `${nodeOf(last)?.name ?? '?'} (${runId}'s last node, step ${instances.length})` }
  }
  const name = chain[nodeAt]!.attributes[ATTR.node] as string
  const step = Number(chain[nodeAt]!.attributes[ATTR.step])
  const instance = instances[step - 1]
  if (!instance || nodeOf(instance)?.name !== name)
    return { note: live ? `${pending}: ${name} (step ${step}) has not finished yet` : `${runId} ${run.state} before ${name} (step ${step}) was made` }
  return { instance, label: `${name} (${runId} step ${step})` }
}

/**
 * Resolves a span the user selected. `known` are the runtime's own spans of that trace: a span
 * found there is taken from there, with its ancestors; one that is not (an imported trace) is
 * taken as the window gave it, and has no node instance (no run of this session made it).
 */
export function resolveSelection(spanId: string, known: readonly SpanDto[], given: readonly SpanDto[], runs: RunLookup): Selection {
  const byId = new Map(known.map((span) => [span.spanId, span]))
  const own = byId.get(spanId)
  let span: SelectedSpan
  let found: { instance?: NodeInstance; label?: string; note?: string }
  if (own) {
    const chain: SpanDto[] = []
    for (let at: SpanDto | undefined = own; at && chain.length < 256; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined) chain.push(at)
    span = frozenSpan(own, 'session')
    found = nodeForChain(chain, runs)
  } else {
    const first = given[0]
    if (!first || first.spanId !== spanId) throw new TypeError(`span ${spanId} is not in this session, and the window did not send it`)
    span = frozenSpan(first, 'imported')
    found = { note: 'an imported span: no run of this session made it' }
  }
  const name = span.name.length > 40 ? `${span.name.slice(0, 39)}…` : span.name
  const summary = `$span = ${name} · $node = ${found.label ?? `undefined (${found.note})`}`
  return {
    span,
    instance: found.instance,
    summary,
    ...(found.instance ? { node: nodeOf(found.instance)?.name ?? '?' } : {}),
    ...(found.note ? { note: found.note } : {})
  }
}
