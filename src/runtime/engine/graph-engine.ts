import { z } from 'zod'
import { Emitter } from '../../common/event'
import { setRunInterceptor, type Graph, type GraphResult, type RunOptions } from '../graph/graph'
import { nodeOf, type NodeInstance } from '../graph/node'
import type { GateField } from '../graph/resolver'
import type { LanguageModel } from '../lm/types'
import type { OutputRouter } from './output'
import type { Task, TaskManager } from './tasks'

/** How much the graph channel says about runs: verbose (every node and dep), normal (start, end, gates, errors), quiet (gates and errors), silent. */
export type OutputPolicy = 'verbose' | 'normal' | 'quiet' | 'silent'
const POLICIES: readonly OutputPolicy[] = ['verbose', 'normal', 'quiet', 'silent']

export interface NodeTiming {
  node: string
  step: number
  ms: number
}
export interface DepTiming {
  node: string
  dep: string
  ms: number
}

/** What the REPL knows about a graph run (g1, g2, …). */
export interface RunRecord {
  readonly id: string
  readonly graph: string
  state: 'running' | 'waiting' | 'done' | 'failed' | 'cancelled'
  readonly startedAt: number
  endedAt?: number
  readonly nodes: NodeTiming[]
  readonly deps: DepTiming[]
  /** The node instances of its finished steps, in order (the result's trace has them all once it is done). */
  readonly instances: NodeInstance[]
  /** The node it is on: the node whose step runs, or (waiting) the node whose gate asks; kept after it ends. */
  at?: { node: string; step: number }
  /** The finished run's result, or its error. */
  result?: GraphResult
  error?: unknown
}

/** A gate waiting for a human: answer it with `@g1.0 value`. */
export interface PendingGate {
  /** `<run>.<n>`, e.g. g1.0 */
  readonly id: string
  readonly runId: string
  readonly node: string
  readonly field: string
  readonly description: string
  readonly schema: z.ZodType
}

const HISTORY = 20

/**
 * The REPL's graph engine. Every graph run started in this process (a call from the REPL, from a
 * dep, from a loaded file) is registered as a run g1, g2, … and a task: it goes on in the
 * background while the prompt stays live, its steps and deps are timed, its lifecycle is told on
 * the graph channel under the output policy, and its gates wait for `@g1.0 value` answers.
 * Finished runs are kept in a bounded history (older ones released).
 */
export class GraphEngine {
  private readonly live = new Map<string, RunRecord>()
  private readonly finished: RunRecord[] = []
  private readonly gates = new Map<string, PendingGate & { resolve(value: unknown): void; reject(error: unknown): void }>()
  private readonly changes = new Emitter<RunRecord>()
  private counter = 0
  /** The LM for runs that do not bring their own. */
  defaultLm: LanguageModel | undefined
  policy: OutputPolicy = 'normal'

  readonly onDidChangeRun = this.changes.event

  constructor(
    private readonly tasks: TaskManager,
    private readonly output: OutputRouter
  ) {
    setRunInterceptor((graph, inputs, options, runDirectly) => this.run(graph, inputs, options, runDirectly))
  }

  dispose(): void {
    setRunInterceptor(undefined)
    for (const gate of this.gates.values()) gate.reject(new Error('the runtime is shutting down'))
  }

  runs(): RunRecord[] {
    return [...this.live.values(), ...this.finished]
  }

  getRun(id: string): RunRecord | undefined {
    return this.live.get(id) ?? this.finished.find((r) => r.id === id)
  }

  pendingGates(): PendingGate[] {
    return [...this.gates.values()].map(({ resolve: _r, reject: _j, ...gate }) => gate)
  }

  setPolicy(policy: OutputPolicy): void {
    if (!POLICIES.includes(policy)) throw new TypeError(`the output policy is one of ${POLICIES.join(', ')}`)
    this.policy = policy
  }

  cancel(runId: string): boolean {
    return this.tasks.cancel(runId, 'cancelled by the user')
  }

  /**
   * Answers a gate. The text is taken as JSON when the field is not a string (`true`, `3`,
   * `["a"]`), as it is otherwise; either way the field's schema decides.
   */
  answer(gateId: string, text: string): void {
    const gate = this.gates.get(gateId)
    if (!gate) throw new Error(`no gate ${gateId} is waiting${this.gates.size ? `; waiting: ${[...this.gates.keys()].join(', ')}` : ''}`)
    const asText = gate.schema.safeParse(text)
    let value: unknown = text
    if (!asText.success) {
      try {
        value = JSON.parse(text)
      } catch {
        value = text
      }
    }
    const checked = gate.schema.safeParse(value)
    if (!checked.success) {
      const expected = z.toJSONSchema(gate.schema, { unrepresentable: 'any' }) as { type?: string }
      throw new TypeError(`${gateId} (${gate.node}.${gate.field}) expects ${expected.type ?? 'another value'}: ${checked.error.issues[0]!.message}`)
    }
    this.gates.delete(gateId)
    gate.resolve(checked.data)
  }

  private say(level: 'verbose' | 'normal' | 'quiet', task: Task, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const rank = { verbose: 0, normal: 1, quiet: 2, silent: 3 }
    if (rank[this.policy] > rank[level]) return
    this.output.write('graph', stream, `${text}\n`, { taskId: task.id })
  }

  private async run(
    graph: Graph,
    inputs: Record<string, unknown>,
    options: RunOptions,
    runDirectly: (options: RunOptions) => Promise<GraphResult>
  ): Promise<GraphResult> {
    const id = `g${++this.counter}`
    const name = graph.start.name
    // A run belongs to what started it: cancelling the evaluation that awaits it (Ctrl+C) cancels it
    // too. A run that evaluation did not await goes on after it ends (only a cancel propagates).
    const parents = [options.signal, this.tasks.current?.signal].filter((s): s is AbortSignal => s !== undefined)
    const parent = parents.length > 1 ? AbortSignal.any(parents) : parents[0]
    const task = this.tasks.create('graph', name, { channel: 'graph', id, parent })
    const record: RunRecord = { id, graph: name, state: 'running', startedAt: Date.now(), nodes: [], deps: [], instances: [] }
    this.live.set(id, record)
    this.changes.fire(record)
    let gateCount = 0
    const observer = {
      nodeStarted: (node: string, step: number) => {
        record.at = { node, step }
        this.changes.fire(record)
        this.say('verbose', task, `${node} (step ${step})`)
        options.observer?.nodeStarted?.(node, step)
      },
      nodeFinished: (node: string, step: number, ms: number, instance: NodeInstance) => {
        record.nodes.push({ node, step, ms })
        record.instances.push(instance)
        options.observer?.nodeFinished?.(node, step, ms, instance)
      },
      depResolved: (node: string, dep: string, ms: number) => {
        record.deps.push({ node, dep, ms })
        this.say('verbose', task, `  ${node} ← ${dep} (${ms.toFixed(1)} ms)`)
        options.observer?.depResolved?.(node, dep, ms)
      }
    }
    const gate = async ({ node, fields, signal }: { node: string; fields: readonly GateField[]; signal: AbortSignal }): Promise<Record<string, unknown>> => {
      const answers: Record<string, unknown> = {}
      // The caller's own hook, if any, wins; the REPL's gates are the default.
      if (options.gate) return options.gate({ node, fields, signal })
      task.setState('waiting')
      record.state = 'waiting'
      // A successor's gate is asked while the step before it makes it: the run is at that node now.
      record.at = { node, step: (record.at?.step ?? 0) + (record.at?.node === node ? 0 : 1) }
      this.changes.fire(record)
      await Promise.all(
        fields.map(
          (field) =>
            new Promise<void>((resolve, reject) => {
              const gateId = `${id}.${gateCount++}`
              this.gates.set(gateId, {
                id: gateId,
                runId: id,
                node,
                field: field.name,
                description: field.description,
                schema: field.schema,
                resolve: (value) => ((answers[field.name] = value), resolve()),
                reject
              })
              const current = field.current === undefined ? '' : ` (now ${JSON.stringify(field.current)})`
              this.say(
                'quiet',
                task,
                `gate ${gateId}: ${node}.${field.name}${field.description ? ` — ${field.description}` : ''}${current}; answer with @${gateId} <value>`
              )
              signal.addEventListener('abort', () => (this.gates.delete(gateId), reject(signal.reason)), { once: true })
            })
        )
      )
      task.setState('running')
      record.state = 'running'
      this.changes.fire(record)
      return answers
    }
    this.say('normal', task, `${name} started`)
    try {
      const result = await task.run(() =>
        runDirectly({
          ...options,
          lm: options.lm ?? this.defaultLm,
          signal: task.signal,
          gate,
          observer,
          spanAttributes: { ...options.spanAttributes, 'cortex.run.id': id }
        })
      )
      record.state = 'done'
      record.result = result
      this.say(
        'normal',
        task,
        `${name} done in ${((Date.now() - record.startedAt) / 1000).toFixed(2)} s: ${result.trace.map((n) => nodeOf(n)?.name ?? '?').join(' → ')}`
      )
      task.finish('done')
      return result
    } catch (error) {
      record.error = error
      record.state = task.signal.aborted ? 'cancelled' : 'failed'
      this.say('quiet', task, `${name} ${record.state}: ${error instanceof Error ? error.message : String(error)}`, 'stderr')
      task.finish(record.state, error instanceof Error ? error.message : String(error))
      throw error
    } finally {
      for (const [gateId, pending] of this.gates) if (pending.runId === id) this.gates.delete(gateId)
      record.endedAt = Date.now()
      this.live.delete(id)
      this.finished.unshift(record)
      this.finished.length = Math.min(this.finished.length, HISTORY)
      this.output.endTask(id)
      this.changes.fire(record)
    }
  }
}
