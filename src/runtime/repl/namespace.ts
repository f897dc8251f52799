import { inspect, types } from 'node:util'
import type vm from 'node:vm'
import * as api from '../api'
import * as graphApi from '../graph'
import { isNodeDef, nodeOf } from '../graph/node'
import type { GraphEngine, OutputPolicy, RunRecord } from '../engine/graph-engine'
import type { TaskManager } from '../engine/tasks'
import type * as lmApi from '../lm'
import { HISTORY_SIZE } from './evaluator'
import { preview } from './render'

/** The framework as the REPL (and graph files importing 'cortex') see it: the values of src/runtime/api.ts. */
export function frameworkApi(): Record<string, unknown> {
  return { ...api }
}

/** The user's own bindings: everything in the namespace but what Cortex seeded and the result history. */
export function userBindingNames(context: vm.Context, seeded: ReadonlySet<string>): string[] {
  return Object.keys(context).filter((key) => !seeded.has(key) && key !== '_' && key !== '_error' && !/^_\d+$/.test(key))
}

/** A table that prints as text in the REPL and stays data for code (`ns().entries`). */
export class Listing<T extends Record<string, unknown>> {
  private text: string | undefined
  constructor(
    readonly title: string,
    readonly entries: readonly T[]
  ) {}
  /** Printed as this text instead of a table. */
  withText(text: string): this {
    this.text = text
    return this
  }
  [inspect.custom](): string {
    if (this.text !== undefined) return `${this.title}\n${this.text}`
    if (this.entries.length === 0) return `${this.title}: none`
    const keys = Object.keys(this.entries[0]!)
    const width = keys.map((k) => Math.min(60, Math.max(k.length, ...this.entries.map((e) => String(e[k]).length))))
    const row = (cells: string[]) => cells.map((c, i) => c.slice(0, width[i]).padEnd(width[i]!)).join('  ')
    return [this.title, row(keys), ...this.entries.map((e) => row(keys.map((k) => String(e[k]))))].join('\n')
  }
}

/** A short type name: a node, a graph, a run, a class, or typeof. */
export function typeName(value: unknown): string {
  if (value === null) return 'null'
  // Never touch a Proxy: any property read may run a trap (pitfalls 9, 13).
  if (types.isProxy(value)) return 'Proxy'
  if (isNodeDef(value)) return 'node'
  if (typeof value === 'function' && (value as { graph?: unknown }).graph instanceof graphApi.Graph) return 'graph'
  if (value instanceof graphApi.Graph) return 'graph'
  const node = nodeOf(value)
  if (node) return node.name
  if (typeof value === 'object') {
    try {
      return Object.getPrototypeOf(value)?.constructor?.name ?? 'object'
    } catch {
      return 'object' // a Proxy whose trap throws
    }
  }
  return typeof value
}

function describeRun(run: RunRecord): Record<string, unknown> {
  return {
    id: run.id,
    graph: run.graph,
    state: run.state,
    seconds: (((run.endedAt ?? Date.now()) - run.startedAt) / 1000).toFixed(2),
    steps: run.nodes.map((n) => `${n.node} ${n.ms.toFixed(1)}ms`).join(', ')
  }
}

/**
 * `ns()` lists the user's bindings with type and a short summary; `ns(x)` tells about x: a graph
 * (nodes, inputs, mermaid), a node (its fields and where their values come from), a run (its steps
 * and timings), or any value (shallow, bounded). Reprs never run getters or Proxy traps.
 */
export function makeNs(context: vm.Context, userNames: () => string[], engine: GraphEngine) {
  return function ns(value?: unknown): unknown {
    if (arguments.length === 0) {
      const entries = userNames().map((name) => {
        const descriptor = Object.getOwnPropertyDescriptor(context, name)
        const item = descriptor && 'value' in descriptor ? descriptor.value : undefined
        return { name, type: descriptor?.get ? 'getter' : typeName(item), value: descriptor?.get ? '[getter]' : preview(item, 60) }
      })
      return new Listing('namespace', entries)
    }
    if (types.isProxy(value)) return `Proxy: ${preview(value, 2000)}`
    if (isNodeDef(value)) {
      return new Listing(
        `node ${value.name} (${value.routing}${value.edges.targets.length ? ` → ${value.edges.targets.map((t) => t.name).join(' | ')}` : ''})`,
        value.fields.map((f) => ({ field: f.name, from: f.kind === 'plain' ? 'LM' : f.kind, required: f.kind === 'plain' ? String(f.required) : '' }))
      )
    }
    const graph =
      value instanceof graphApi.Graph
        ? value
        : (value as { graph?: unknown } | null)?.graph instanceof graphApi.Graph
          ? (value as { graph: graphApi.Graph }).graph
          : undefined
    if (graph) {
      const problems = graph.validate()
      return `graph ${graph.start.name}: ${graph.nodes.length} nodes, inputs: ${graph.inputs.join(', ') || 'none'}${problems.length ? `\nproblems:\n- ${problems.join('\n- ')}` : ''}\n${graph.toMermaid()}`
    }
    if (typeof value === 'string' && engine.getRun(value)) return new Listing(`run ${value}`, [describeRun(engine.getRun(value)!)])
    return `${typeName(value)}: ${preview(value, 2000)}`
  }
}

/** Read-only views of the runtime for the namespace: methods to look and act, no internals to mutate (pitfall 9). */
export function runtimeViews(engine: GraphEngine, tasks: TaskManager) {
  return {
    engine: Object.freeze({
      runs: () => new Listing('graph runs', engine.runs().map(describeRun)),
      run: (id: string) => engine.getRun(id),
      gates: () =>
        new Listing(
          'gates',
          engine.pendingGates().map((g) => ({ id: g.id, node: g.node, field: g.field, description: g.description }))
        ),
      answer: (gateId: string, value: string) => engine.answer(gateId, value),
      cancel: (runId: string) => engine.cancel(runId),
      get policy() {
        return engine.policy
      },
      setPolicy: (policy: OutputPolicy) => engine.setPolicy(policy),
      get lm() {
        return engine.defaultLm
      },
      setLm: (lm: lmApi.LanguageModel | undefined) => void (engine.defaultLm = lm)
    }),
    tasks: Object.freeze({
      list: () =>
        new Listing(
          'tasks',
          tasks.list().map((t) => ({ id: t.id, kind: t.kind, state: t.state, label: t.label }))
        ),
      cancel: (id: string) => tasks.cancel(id, 'cancelled by the user'),
      cancelAll: () => tasks.cancelAll('cancelled by the user')
    })
  }
}

export const HISTORY_NAMES = Array.from({ length: HISTORY_SIZE }, (_, i) => `_${i + 1}`)

/** What the namespace's `ai` needs of the assistant. */
export interface AssistantLike {
  model: string
  readonly conversation: number
  ask(question: string): Promise<string>
  fill(target: never, context?: Record<string, unknown>, instruction?: string): Promise<unknown>
  chooseType(candidates: readonly never[], context?: Record<string, unknown>): Promise<unknown>
  newConversation(): number
  switchTo(id: number): void
  status(): string
  summary(): string
}

/**
 * `ai` in the namespace: `await ai("question")` asks in the current conversation (the answer
 * streams on the ai channel and is returned); `ai.fill` / `ai.chooseType` use the graph's LM;
 * `ai.model = '…'` picks the model. A frozen view: the assistant's internals (and key) stay out.
 */
export function assistantView(assistant: AssistantLike) {
  const ai = (question: unknown): Promise<string> => assistant.ask(String(question))
  Object.defineProperties(ai, {
    fill: { value: (target: never, context?: Record<string, unknown>, instruction?: string) => assistant.fill(target, context, instruction) },
    chooseType: { value: (candidates: readonly never[], context?: Record<string, unknown>) => assistant.chooseType(candidates, context) },
    newConversation: { value: () => assistant.newConversation() },
    use: { value: (id: number) => (assistant.switchTo(Number(id)), assistant.summary()) },
    status: { value: () => new Listing('ai', []).withText(assistant.status()) },
    model: {
      get: () => assistant.model,
      set: (model: unknown) => {
        if (typeof model !== 'string' || !model.trim()) throw new TypeError('ai.model is a model name, e.g. ai.model = "claude-sonnet-5-5"')
        assistant.model = model.trim()
      },
      enumerable: true
    },
    conversation: { get: () => assistant.conversation, enumerable: true },
    [inspect.custom]: { value: () => assistant.summary() }
  })
  return Object.freeze(ai)
}
