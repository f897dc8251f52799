import type { z } from 'zod'
import { serializeError } from '../../common/errors'
import type { LanguageModel } from '../lm/types'
import { GraphCancelledError, GraphDefinitionError, GraphError, withRunContext } from './errors'
import { isGate, type Gate } from './markers'
import {
  isNodeDef,
  isZodSchema,
  nodeOf,
  setFieldsOf,
  type AnyNodeDef,
  type FieldValue,
  type InstanceOf,
  type NodeInstance,
  type NodeOf,
  type Shape
} from './node'
import { depInputs, findDepCycle, resolveFields, timingDeps, type DepKey, type GateHook, type RunState } from './resolver'
import { yieldIfBusy } from './scheduler'
import { ATTR, inSpan } from '../tracing/tracer'

export interface RunOptions {
  /** The LM that fills nodes and makes decisions. Needed unless every node is custom or dep-only. */
  lm?: LanguageModel
  /** Cancels the run: pending deps see their signal abort, LM requests and subprocesses stop. */
  signal?: AbortSignal
  /** Steps before the run fails (each node processed is one step). Default 10; 0 = unlimited. */
  maxIterations?: number
  /** Asks a human for gate fields. Without one, gate fields keep their default or given value. */
  gate?: GateHook
  /** Values to use instead of running these deps (each key a dep or a node-as-dep). */
  depCache?: ReadonlyMap<DepKey, unknown>
  /** Told about each step and dep as the run goes (the REPL's engine records timings with it). */
  observer?: RunObserver
  /** More attributes for the run's span (the engine adds the run id). */
  spanAttributes?: Record<string, string | number | boolean>
}

export interface RunObserver {
  nodeStarted?(node: string, step: number): void
  /** A node's step is done: its fields resolved and the next node produced (or the run ended). `instance` is the step's node. */
  nodeFinished?(node: string, step: number, ms: number, instance: NodeInstance): void
  depResolved?(node: string, dep: string, ms: number): void
}

/**
 * A host (the REPL's graph engine) may take over runs started anywhere in its process, to
 * register them, give them a task, gates and timings. Kept on a registered symbol, so every copy of
 * the framework loaded in the process (a graph file importing it from source) reports to the same host.
 */
export type RunInterceptor = (
  graph: Graph,
  inputs: Record<string, unknown>,
  options: RunOptions,
  runDirectly: (options: RunOptions) => Promise<GraphResult>
) => Promise<GraphResult>
const RUN_INTERCEPTOR = Symbol.for('cortex.graph.runInterceptor')
const DIRECT = Symbol.for('cortex.graph.direct')

export function setRunInterceptor(interceptor: RunInterceptor | undefined): void {
  ;(globalThis as Record<symbol, unknown>)[RUN_INTERCEPTOR] = interceptor
}

/** The trace of a run: every node in order; `result` is the last one. */
export interface GraphResult {
  readonly trace: readonly NodeInstance[]
  readonly result: NodeInstance | undefined
  /** The latest instance of a node in the trace, typed: `result.find(RecommendOOTD)?.top`. */
  find<N extends AnyNodeDef>(def: N): NodeOf<N> | undefined
  /** Every instance of a node in the trace, in order. */
  findAll<N extends AnyNodeDef>(def: N): NodeOf<N>[]
}

function resultOf(trace: NodeInstance[]): GraphResult {
  return {
    trace,
    result: trace.at(-1),
    find: (def) => trace.findLast((n) => def.is(n)) as never,
    findAll: (def) => trace.filter((n) => def.is(n)) as never
  }
}

/**
 * Fields the caller may pass to the start node: its plain fields (required ones must be there; an
 * object field may also be given as its own fields, flattened) and its gates.
 */
export type GraphInputs<S extends Shape> = {
  [K in keyof S as S[K] extends z.ZodType | Gate<unknown> ? K : never]?: S[K] extends z.ZodType ? z.input<S[K]> : FieldValue<S[K]>
} & Record<string, unknown>

/**
 * A graph: the nodes reachable from `start`. Construction checks the definitions and throws a
 * {@link GraphDefinitionError} naming each culprit; `validate()` also reports nodes that can never
 * reach a terminal node.
 */
export class Graph<D extends AnyNodeDef = AnyNodeDef> {
  readonly nodes: readonly AnyNodeDef[]
  readonly edges: ReadonlyMap<AnyNodeDef, readonly AnyNodeDef[]>
  readonly terminals: readonly AnyNodeDef[]

  constructor(readonly start: D) {
    if (!isNodeDef(start)) {
      throw new GraphDefinitionError([
        nodeOf(start)
          ? `Graph(start) takes the node definition, not an instance: use ${nodeOf(start)!.name}`
          : 'Graph(start) takes a node definition made with node()'
      ])
    }
    const problems: string[] = []
    const nodes: AnyNodeDef[] = []
    const edges = new Map<AnyNodeDef, readonly AnyNodeDef[]>()
    const byName = new Map<string, AnyNodeDef>()
    const queue: AnyNodeDef[] = [start]
    while (queue.length) {
      const def = queue.shift()!
      if (edges.has(def)) continue
      const other = byName.get(def.name)
      if (other && other !== def) problems.push(`two different nodes are named ${def.name}: node names are LM instructions and must be unique in a graph`)
      byName.set(def.name, def)
      nodes.push(def)
      let targets: readonly AnyNodeDef[] = []
      try {
        targets = def.edges.targets
      } catch (error) {
        problems.push(serializeError(error).message)
      }
      edges.set(def, targets)
      queue.push(...targets)
    }
    this.nodes = nodes
    this.edges = edges
    this.terminals = nodes.filter((n) => n.routing === 'terminal' || n.edges.canStop)
    problems.push(...this.definitionProblems())
    if (problems.length) throw new GraphDefinitionError(problems)
  }

  /** The start node's required plain fields: what a run must be given. */
  get inputs(): readonly string[] {
    return this.start.plainFields.filter((f) => f.required).map((f) => f.name)
  }

  /** Every problem: definition errors (which construction already refused) and unreachable ends. */
  validate(): string[] {
    return [...this.definitionProblems(), ...this.loopProblems()]
  }

  private definitionProblems(): string[] {
    const problems: string[] = []
    for (const field of this.start.fields) {
      if (field.kind === 'recall')
        problems.push(`${this.start.name}.${field.name} is a recall, but ${this.start.name} is the start node: there is nothing before it to recall`)
    }
    const seen = new Set<DepKey>()
    for (const def of this.nodes) {
      const roots = def.fields.filter((f) => f.kind === 'dep' || f.kind === 'node-dep').map((f) => f.spec as DepKey)
      const cycle = findDepCycle(roots)
      if (cycle) problems.push(`dependency cycle in ${def.name}: ${cycle}`)
      const walk = (key: DepKey): void => {
        if (seen.has(key)) return
        seen.add(key)
        if (!isNodeDef(key) && !isZodSchema(key.output))
          problems.push(`dep ${key.name} (used by ${def.name}) has no output schema: declare one, dep(Schema, fn)`)
        if (!cycle) depInputs(key).forEach(walk)
      }
      roots.forEach(walk)
    }
    return problems
  }

  /** Nodes from which no path leads to an end (a potential infinite loop). */
  private loopProblems(): string[] {
    const canEnd = new Set<AnyNodeDef>(this.terminals.concat(this.nodes.filter((n) => n.routing === 'custom' && n.edges.targets.length === 0)))
    let changed = true
    while (changed) {
      changed = false
      for (const def of this.nodes) {
        if (!canEnd.has(def) && this.edges.get(def)!.some((t) => canEnd.has(t))) {
          canEnd.add(def)
          changed = true
        }
      }
    }
    return this.nodes.filter((n) => !canEnd.has(n)).map((n) => `${n.name} has no path to a terminal node (a potential infinite loop)`)
  }

  /** A mermaid flowchart: terminal nodes as circles, nodes that may also end as hexagons. */
  toMermaid(): string {
    const lines = ['graph TD']
    for (const def of this.nodes) {
      const targets = this.edges.get(def)!
      if (targets.length === 0) lines.push(`  ${def.name}((${def.name}))`)
      else if (def.edges.canStop) lines.push(`  ${def.name}{{${def.name}}}`)
      for (const target of targets) lines.push(`  ${def.name} --> ${target.name}`)
    }
    return lines.join('\n')
  }

  /** The start instance from the inputs: flattened object fields accepted, required ones checked. */
  private startInstance(inputs: Record<string, unknown>): NodeInstance {
    const values: Record<string, unknown> = {}
    const used = new Set<string>()
    for (const field of this.start.fields) {
      if (Object.hasOwn(inputs, field.name)) {
        values[field.name] = inputs[field.name]
        used.add(field.name)
        continue
      }
      // bae's flattening: an object field may be given as its own fields (`{ name: 'Dzara' }` for user_info).
      const shape = field.kind === 'plain' ? (field.schema as unknown as { shape?: Record<string, unknown> }).shape : undefined
      const flat = shape ? Object.keys(shape).filter((key) => Object.hasOwn(inputs, key)) : []
      if (flat.length) {
        values[field.name] = Object.fromEntries(flat.map((key) => [key, inputs[key]]))
        flat.forEach((key) => used.add(key))
      }
    }
    const unknown = Object.keys(inputs).filter((key) => !used.has(key))
    if (unknown.length)
      throw new TypeError(
        `${this.start.name} has no input ${unknown.join(', ')}; it takes: ${this.start.fields
          .filter((f) => f.kind === 'plain' || f.kind === 'gate')
          .map((f) => f.name)
          .join(', ')}`
      )
    const missing = this.start.plainFields.filter((f) => f.required && values[f.name] === undefined).map((f) => f.name)
    if (missing.length) throw new TypeError(`${this.start.name} requires: ${missing.join(', ')}`)
    for (const field of this.start.fields) {
      const schema = field.kind === 'plain' ? field.schema! : isGate(field.spec) ? field.spec.schema : undefined
      if (!schema) continue
      // A gate without a value (and without a default) is asked through the hook when the run starts.
      if (field.kind === 'gate' && values[field.name] === undefined && !schema.safeParse(undefined).success) continue
      const checked = schema.safeParse(values[field.name])
      if (!checked.success) throw new TypeError(`input ${field.name} of ${this.start.name} is invalid: ${checked.error.issues[0]!.message}`)
      if (checked.data !== undefined) values[field.name] = checked.data
    }
    return this.start.make(values)
  }

  async run(inputs: GraphInputs<D['shape']> = {} as GraphInputs<D['shape']>, options: RunOptions = {}): Promise<GraphResult> {
    const interceptor = (globalThis as Record<symbol, RunInterceptor | undefined>)[RUN_INTERCEPTOR]
    if (interceptor && !(options as Record<symbol, unknown>)[DIRECT]) {
      return interceptor(this as Graph, inputs as Record<string, unknown>, options, (direct) => this.run(inputs, { ...direct, [DIRECT]: true } as RunOptions))
    }
    const signal = options.signal ?? new AbortController().signal
    const observer = options.observer
    const maxIterations = options.maxIterations ?? 10
    const state: RunState = {
      lm: options.lm,
      signal,
      trace: [],
      cache: new Map(options.depCache ?? []),
      gates: new Map(),
      gateHook: options.gate,
      observer
    }
    const resolved = new WeakSet<NodeInstance>()
    // Many runs started at once: only as many begin in this slice as it has time for.
    await yieldIfBusy()
    let current: NodeInstance | null = this.startInstance(inputs as Record<string, unknown>)
    let step = 0
    let def: AnyNodeDef | undefined
    const name = this.start.name
    return inSpan(`invoke_workflow ${name}`, { [ATTR.operation]: 'invoke_workflow', [ATTR.graph]: name, ...options.spanAttributes }, async () => {
      try {
        while (current) {
          step++
          def = nodeOf(current)!
          signal.throwIfAborted()
          await yieldIfBusy()
          const node: AnyNodeDef = def
          const instance: NodeInstance = current
          const started = performance.now()
          observer?.nodeStarted?.(node.name, step)
          // One span per node step: its deps (as events), the choice and the fill of the next node.
          current = await inSpan(`node ${node.name}`, { [ATTR.node]: node.name, [ATTR.step]: step }, (span) =>
            timingDeps(span, state, node.name, async () => {
              if (!resolved.has(instance)) Object.assign(instance, await resolveFields(node, state, instance))
              state.trace.push(instance)
              return this.next(node, instance, state, resolved, maxIterations === 0 || step < maxIterations ? undefined : maxIterations)
            })
          )
          observer?.nodeFinished?.(node.name, step, performance.now() - started, instance)
        }
        return resultOf(state.trace)
      } catch (error) {
        throw withRunContext(this.asGraphError(error, def, signal), state.trace, def?.name, step)
      }
    })
  }

  private asGraphError(error: unknown, def: AnyNodeDef | undefined, signal: AbortSignal): unknown {
    if (signal.aborted && !(error instanceof GraphCancelledError)) return new GraphCancelledError('the run was cancelled', { cause: signal.reason })
    if (error instanceof GraphError) return error
    return new GraphError(`${def?.name ?? 'the graph'} failed: ${serializeError(error).message}`, { cause: error })
  }

  private requireLm(state: RunState, why: string): LanguageModel {
    if (!state.lm) throw new GraphError(`${why} needs an LM, and the run has none: pass { lm } (for example createLm(backend))`)
    return state.lm
  }

  /**
   * Where to go from `current`: its routing decides; returns null at the end of the run. With
   * `limit` set, this was the last step allowed: choosing a next node fails before it is produced
   * (no fill, no effect).
   */
  private async next(
    def: AnyNodeDef,
    current: NodeInstance,
    state: RunState,
    resolved: WeakSet<NodeInstance>,
    limit: number | undefined
  ): Promise<NodeInstance | null> {
    const exceeded = (): GraphError => new GraphError(`the run exceeded ${limit} steps (maxIterations); 0 means no limit`)
    const { signal } = state
    let target: AnyNodeDef | null
    let next: NodeInstance
    switch (def.routing) {
      case 'terminal':
        return null
      case 'custom': {
        const returned = await def.customLogic!(current, { lm: state.lm ?? missingLm(def), signal })
        if (returned === null || returned === undefined) return null
        target = nodeOf(returned) ?? null
        if (!target) throw new GraphError(`${def.name}'s logic returned ${typeof returned}, not a node: make one with Next.make({ … }), or return null to end`)
        if (!def.edges.targets.includes(target))
          throw new GraphError(`${def.name}'s logic returned a ${target.name}, which is not among its successors: declare it with .to()`)
        if (limit !== undefined) throw exceeded()
        const given = setFieldsOf(returned)
        const missing = target.plainFields.filter((f) => f.required && !given.has(f.name))
        const context = await resolveFields(target, state, returned)
        if (missing.length) {
          // A partly made node: the LM completes the plain fields the logic left out.
          const plainGiven = Object.fromEntries(target.plainFields.filter((f) => given.has(f.name)).map((f) => [f.name, returned[f.name]]))
          next = await this.requireLm(state, `completing ${target.name}`).fill(target, { ...context, ...plainGiven }, target.name, current, { signal })
        } else {
          next = Object.assign(returned, context)
        }
        break
      }
      case 'make':
      case 'decide': {
        const { targets, canStop } = def.edges
        target =
          def.routing === 'make'
            ? targets[0]!
            : await this.requireLm(state, `choosing what follows ${def.name}`).chooseType(targets, { ...current }, { signal, canStop, from: def.name })
        if (!target) return null
        if (limit !== undefined) throw exceeded()
        await yieldIfBusy()
        const context = await resolveFields(target, state)
        next = await this.requireLm(state, `filling ${target.name}`).fill(target, context, target.name, current, { signal })
        break
      }
    }
    resolved.add(next)
    for (const fn of def.edges.effects.get(target) ?? []) {
      try {
        await fn(next as InstanceOf<Shape>, { signal })
      } catch (error) {
        throw new GraphError(`the effect on ${def.name} → ${target.name} failed: ${serializeError(error).message}`, { cause: error })
      }
    }
    return next
  }
}

function missingLm(def: AnyNodeDef): LanguageModel {
  const fail = (): never => {
    throw new GraphError(`${def.name}'s logic used the LM, and the run has none: pass { lm }`)
  }
  return { fill: fail, chooseType: fail }
}

/** A graph as an async function: `const ootd = graph(IsTheUserGettingDressed); await ootd({ … }, { lm })`. */
export type GraphFunction<D extends AnyNodeDef> = ((inputs?: GraphInputs<D['shape']>, options?: RunOptions) => Promise<GraphResult>) & {
  readonly graph: Graph<D>
}

export function graph<D extends AnyNodeDef>(start: D): GraphFunction<D> {
  const g = new Graph(start)
  const run = (inputs?: GraphInputs<D['shape']>, options?: RunOptions): Promise<GraphResult> => g.run(inputs, options)
  Object.defineProperty(run, 'name', { value: start.name })
  return Object.assign(run, { graph: g })
}
