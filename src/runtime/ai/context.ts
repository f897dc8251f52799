import type vm from 'node:vm'
import type { SpanDto } from '../../common/trace-contract'
import type { GraphEngine, RunRecord } from '../engine/graph-engine'
import { nodeOf } from '../graph/node'
import { graphOf, topologyOf } from '../graph/topology'
import { typeName } from '../repl/namespace'
import { preview, render } from '../repl/render'

/**
 * What the model sees with each question (pitfall 7): never the namespace or the session's
 * history, only what the question names, in bounded reprs and one-line summaries.
 */

/** Context window (tokens) per model; the first pattern that matches wins. */
export const CONTEXT_BUDGETS: ReadonlyArray<readonly [RegExp, number]> = [
  [/^claude-.*\[1m\]$/, 1_000_000],
  [/^claude-/, 200_000],
  [/./, 200_000]
]

export function budgetFor(model: string): number {
  return CONTEXT_BUDGETS.find(([pattern]) => pattern.test(model))?.[1] ?? 200_000
}

/** At most this many objects a question names go into its context, each repr at most REPR_CHARS. */
const MAX_OBJECTS = 8
const REPR_CHARS = 800
const MAX_SPANS_LISTED = 12

/** Where context comes from: the namespace, the graph engine's runs, the recorded spans. */
export interface ContextSources {
  readonly namespace: vm.Context
  readonly engine: GraphEngine
  spans(): readonly SpanDto[]
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`

/** "3-node run g1 (Start): A → B → C; done in 1.2 s; final: {…}" */
export function runSummary(run: RunRecord): string {
  const names = run.instances.map((instance) => nodeOf(instance)?.name ?? '?')
  const path = names.length ? names.join(' → ') : run.at ? `at ${run.at.node}` : 'no node finished'
  const took = seconds((run.endedAt ?? Date.now()) - run.startedAt)
  const state = run.state === 'done' ? `done in ${took}` : run.endedAt ? `${run.state} after ${took}` : `${run.state} for ${took}`
  const error = run.error === undefined ? '' : `; error: ${preview(run.error instanceof Error ? run.error.message : run.error, 200)}`
  const final = run.result?.result ? `; final: ${preview(run.result.result, 300)}` : ''
  return `${names.length}-node run ${run.id} (${run.graph}): ${path}; ${state}${error}${final}`
}

/** A span and its direct children in one line each: "span chat claude (1.2 s, error: …) → children: a, b". */
export function spanSummary(spanId: string, spans: readonly SpanDto[]): string | undefined {
  const span = spans.find((s) => s.spanId === spanId)
  if (!span) return undefined
  const ms = span.endTime ? Number((BigInt(span.endTime) - BigInt(span.startTime)) / 1_000_000n) : undefined
  const status = span.status.code === 'error' ? `, error: ${span.status.message ?? ''}` : ''
  const children = spans.filter((s) => s.parentSpanId === spanId).map((s) => s.name)
  const listed = children.slice(0, MAX_SPANS_LISTED).join(', ') + (children.length > MAX_SPANS_LISTED ? `, … ${children.length - MAX_SPANS_LISTED} more` : '')
  const run = span.attributes['cortex.run.id']
  return `span ${spanId} "${span.name}"${run ? ` of run ${String(run)}` : ''} (${ms === undefined ? 'open' : seconds(ms)}${status})${children.length ? `; children: ${listed}` : ''}`
}

/** A run (g1) or a span (16 hex digits) summarized, or a message saying there is none. */
export function summarize(id: string, sources: ContextSources): string {
  const run = sources.engine.getRun(id)
  if (run) return runSummary(run)
  const span = spanSummary(id, sources.spans())
  if (span) return span
  return `no run or span ${id} (runs are g1, g2, …; spans have 16 hex digits)`
}

/** A graph's definition as text: its nodes, each with its fields' origins and successors. */
function graphDefinition(name: string, value: unknown): string | undefined {
  const graph = graphOf(value)
  if (!graph) return undefined
  const topology = topologyOf(name, graph)
  const nodes = topology.nodes.map(
    (node) =>
      `  ${node.name}(${node.fields.map((f) => `${f.name}: ${f.origin}`).join(', ')}) → ${node.successors.join(' | ') || 'end'}${node.canStop && !node.isTerminal ? ' | end' : ''}`
  )
  return `graph ${name} (start ${topology.start}):\n${nodes.join('\n')}`
}

/** A data property's value (no getter runs), or nothing. */
function dataValue(scope: object, name: string): { value: unknown } | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(scope, name)
  return descriptor && 'value' in descriptor ? { value: descriptor.value } : undefined
}

/** The sections of context for one question: objects it names, runs/spans/graphs it names or implies. */
export function contextFor(question: string, sources: ContextSources): string[] {
  const sections: string[] = []
  const runIds = new Set(question.match(/\bg\d+\b/g) ?? [])
  const spanIds = new Set(question.match(/\b[0-9a-f]{16}\b/g) ?? [])
  const identifiers = new Set(question.match(/[$A-Za-z_][\w$]*/g) ?? [])
  let objects = 0
  for (const name of identifiers) {
    if (objects >= MAX_OBJECTS) break
    if (runIds.has(name)) continue
    const found = dataValue(sources.namespace, name)
    if (!found || typeof found.value === 'undefined') continue
    const definition = graphDefinition(name, found.value)
    if (definition) {
      sections.push(definition)
    } else {
      const repr = render(found.value, { colors: false, depth: 1 })
      sections.push(`${name} (${typeName(found.value)}): ${repr.length > REPR_CHARS ? `${repr.slice(0, REPR_CHARS)}…` : repr}`)
    }
    objects++
    // `$span` is a frozen span: what it was about is its summary.
    if (name === '$span') {
      const spanId = (found.value as { spanId?: unknown } | null)?.spanId
      if (typeof spanId === 'string') spanIds.add(spanId)
    }
  }
  // A question about runs, traces or errors gets the latest run when it names none.
  if (runIds.size === 0 && /\b(runs?|traces?|errors?|fail\w*)\b/i.test(question)) {
    const latest = sources.engine.runs().sort((a, b) => b.startedAt - a.startedAt)[0]
    if (latest) runIds.add(latest.id)
  }
  for (const id of runIds) {
    const run = sources.engine.getRun(id)
    if (run) sections.push(runSummary(run))
  }
  const spans = spanIds.size > 0 ? sources.spans() : []
  for (const id of spanIds) {
    const span = spanSummary(id, spans)
    if (span) sections.push(span)
  }
  if (/\berrors?\b|\bfail/i.test(question) && !identifiers.has('_error')) {
    const error = dataValue(sources.namespace, '_error')
    if (error && error.value !== undefined) sections.push(`_error (the last error): ${preview(error.value, REPR_CHARS)}`)
  }
  return sections
}
