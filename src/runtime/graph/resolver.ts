import type { z } from 'zod'
import { serializeError } from '../../common/errors'
import type { LanguageModel } from '../lm/types'
import { DepError, GraphError, RecallError } from './errors'
import { isRecall, type Dep, type DepInput, type Gate, type Recall } from './markers'
import { isNodeDef, nodeOf, type AnyNodeDef, type FieldInfo, type NodeInstance } from './node'
import { yieldIfBusy } from './scheduler'
import type { Span } from '@opentelemetry/api'
import { addDepEvents, ATTR, inSpan, type DepEventColumns } from '../tracing/tracer'

/** Something computed once per run: a dependency function, or a node the LM fills as a dependency. */
export type DepKey = Dep<unknown> | AnyNodeDef

export interface GateField {
  readonly name: string
  readonly description: string
  readonly schema: z.ZodType
  /** The value the node has now (its default, or what the caller passed). */
  readonly current: unknown
}

/** Asks a human for a node's gate fields; resolves with their values by field name. */
export type GateHook = (request: {
  readonly node: string
  readonly fields: readonly GateField[]
  readonly signal: AbortSignal
}) => Promise<Record<string, unknown>>

/** Everything one graph run shares. */
export interface RunState {
  readonly lm: LanguageModel | undefined
  readonly signal: AbortSignal
  readonly trace: NodeInstance[]
  /** Each dep's value, computed at most once per run. */
  readonly cache: Map<DepKey, unknown>
  /** Gate answers, asked at most once per node per run. */
  readonly gates: Map<AnyNodeDef, Record<string, unknown>>
  readonly gateHook: GateHook | undefined
  readonly observer?: { depResolved?(node: string, dep: string, ms: number): void }
  /** The dep timings of the node step in progress, when tracing records its span (see timingDeps). */
  depTimings?: DepEventColumns | undefined
}

export function depName(key: DepKey): string {
  return isNodeDef(key) ? key.name : key.name
}

/** What a dep key needs first: a dep function's inputs, or a node's dep fields (recalls excluded). */
export function depInputs(key: DepKey): DepKey[] {
  const inputs: DepInput[] = isNodeDef(key)
    ? key.fields.filter((f) => f.kind === 'dep' || f.kind === 'node-dep').map((f) => f.spec as DepInput)
    : Object.values(key.inputs)
  return inputs.filter((input): input is DepKey => !isRecall(input))
}

/** A readable dependency cycle among the deps reachable from `roots` ("a -> b -> a"), if any. */
export function findDepCycle(roots: readonly DepKey[]): string | undefined {
  const state = new Map<DepKey, 'visiting' | 'done'>()
  const path: DepKey[] = []
  const visit = (key: DepKey): string | undefined => {
    if (state.get(key) === 'done') return undefined
    if (state.get(key) === 'visiting') return [...path.slice(path.indexOf(key)), key].map(depName).join(' -> ')
    state.set(key, 'visiting')
    path.push(key)
    for (const input of depInputs(key)) {
      const cycle = visit(input)
      if (cycle) return cycle
    }
    path.pop()
    state.set(key, 'done')
    return undefined
  }
  for (const root of roots) {
    const cycle = visit(root)
    if (cycle) return cycle
  }
  return undefined
}

/** The deps reachable from `roots` that are not cached yet, in levels: each level needs only earlier ones. */
function levels(roots: readonly DepKey[], cache: Map<DepKey, unknown>): DepKey[][] {
  const level = new Map<DepKey, number>()
  const depth = (key: DepKey, seen: Set<DepKey>): number => {
    if (cache.has(key)) return -1
    const known = level.get(key)
    if (known !== undefined) return known
    if (seen.has(key)) throw new GraphError(`dependency cycle: ${findDepCycle([key])}`)
    seen.add(key)
    const own = Math.max(-1, ...depInputs(key).map((input) => depth(input, seen))) + 1
    seen.delete(key)
    level.set(key, own)
    return own
  }
  for (const root of roots) depth(root, new Set())
  const result: DepKey[][] = []
  for (const [key, n] of level) (result[n] ??= []).push(key)
  return result
}

function unwrap(schema: z.ZodType): unknown {
  let def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def
  while (def.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch'].includes(def.type)) {
    def = (def.innerType as unknown as { _zod: { def: typeof def } })._zod.def
  }
  return def
}

/** Does a field declared with `field` hold what `target` asks for? (`.describe()` copies count as the same schema.) */
function sameSchema(field: z.ZodType, target: z.ZodType): boolean {
  return field === target || unwrap(field) === unwrap(target)
}

function targetName(target: Recall<unknown>['target']): string {
  return isNodeDef(target) ? target.name : (target.description ?? `a ${(unwrap(target) as { type: string }).type} schema`)
}

/** The most recent node of the recalled kind, or the most recent plain field declared with the recalled schema. */
export function recallFromTrace(recall: Recall<unknown>, trace: readonly NodeInstance[]): unknown {
  const { target } = recall
  for (let i = trace.length - 1; i >= 0; i--) {
    const instance = trace[i]!
    const def = nodeOf(instance)
    if (!def) continue
    if (isNodeDef(target)) {
      if (def === target) return instance
      continue
    }
    for (const field of def.plainFields) {
      if (instance[field.name] != null && sameSchema(field.schema!, target)) return instance[field.name]
    }
  }
  throw new RecallError(`nothing to recall for ${targetName(target)}: no earlier node of the run has it`)
}

/**
 * Runs a node step's work with its dep timings gathered in `state` (when tracing records `span`;
 * otherwise no timing work at all): column by column as its deps resolve (its own, its
 * successor's, and those of node-as-dep fills, concurrently), handed to the span in one go when the
 * step ends (addDepEvents: one `dep` event each, with name, duration and the time it resolved). An
 * event each as it happens costs more (pitfall 11).
 */
export async function timingDeps<T>(span: Span, state: RunState, node: string, work: () => Promise<T>): Promise<T> {
  if (!span.isRecording()) return work()
  const timings: DepEventColumns = (state.depTimings = { names: [], times: [], node })
  try {
    return await work()
  } finally {
    state.depTimings = undefined
    if (timings.names.length) addDepEvents(span, timings)
  }
}

/**
 * Computes the deps reachable from `roots`, level by level; the deps of one level run
 * concurrently. When one fails, its siblings are aborted (their signal fires) and awaited before
 * the failure is raised, so nothing keeps running behind the error.
 */
export async function resolveDeps(roots: readonly DepKey[], state: RunState, node: string): Promise<void> {
  for (const level of levels(roots, state.cache)) {
    state.signal.throwIfAborted()
    const siblings = new AbortController()
    const abortSiblings = (): void => siblings.abort(state.signal.reason)
    state.signal.addEventListener('abort', abortSiblings, { once: true })
    try {
      const outcomes = await Promise.allSettled(
        level.map((key) =>
          computeDep(key, { ...state, signal: siblings.signal }, node).catch((error: unknown) => {
            siblings.abort(error)
            throw error
          })
        )
      )
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
      if (failed) throw failed.reason
      outcomes.forEach((outcome, i) => state.cache.set(level[i]!, (outcome as PromiseFulfilledResult<unknown>).value))
    } finally {
      state.signal.removeEventListener('abort', abortSiblings)
    }
  }
}

/**
 * The span name and attributes of a dep with a span, made once per dep and node: the same string
 * and one frozen attributes object every run, which the tracer takes as they are and the timeline
 * keeps once (span.ts startWith), rather than new ones to check, copy, hash and store each time.
 */
const spanParts = new WeakMap<DepKey, { readonly name: string; readonly node: string; readonly attributes: Readonly<Record<string, string>> }>()
function depSpan(key: DepKey, node: string): { readonly name: string; readonly attributes: Readonly<Record<string, string>> } {
  let parts = spanParts.get(key)
  if (parts === undefined || parts.node !== node) {
    const name = depName(key)
    parts = { name: parts?.name ?? `dep ${name}`, node, attributes: Object.freeze({ [ATTR.dep]: name, [ATTR.node]: node }) }
    spanParts.set(key, parts)
  }
  return parts
}

async function computeDep(key: DepKey, state: RunState, node: string): Promise<unknown> {
  await yieldIfBusy()
  const started = performance.now()
  const name = depName(key)
  // An I/O dep may ask for a span of its own; the rest are events on the node's span (pitfall 11).
  const spanned = !isNodeDef(key) && key.spanned
  try {
    if (spanned) {
      const span = depSpan(key, node)
      return await inSpan(span.name, span.attributes, () => computeDepNow(key, state, node))
    }
    return await computeDepNow(key, state, node)
  } finally {
    const ended = performance.now()
    state.observer?.depResolved?.(node, name, ended - started)
    const timings = state.depTimings
    if (timings && !spanned) {
      timings.names.push(name)
      timings.times.push(started, ended)
      const { nodes } = timings
      if (nodes) nodes.push(node)
      else if (node !== timings.node) (timings.nodes = new Array<string>(timings.names.length - 1).fill(timings.node)).push(node)
    }
  }
}

async function computeDepNow(key: DepKey, state: RunState, node: string): Promise<unknown> {
  if (isNodeDef(key)) {
    // A node as a dependency: the LM fills it from its own resolved fields. It is not in the trace.
    if (!state.lm) throw new GraphError(`${key.name} (a dependency of ${node}) needs an LM, and the run has none`)
    const context = await resolveFields(key, state)
    return state.lm.fill(key, context, key.name, undefined, { signal: state.signal })
  }
  const inputs: Record<string, unknown> = {}
  for (const [name, input] of Object.entries(key.inputs))
    inputs[name] = isRecall(input) ? recallFromTrace(input, state.trace) : state.cache.get(input as DepKey)
  let value: unknown
  try {
    value = await key.run(inputs, { signal: state.signal })
  } catch (error) {
    if (error instanceof GraphError) throw error
    const cause = serializeError(error)
    throw new DepError(key.name, `${key.name} failed on ${node}: ${cause.message}`, { cause: error })
  }
  if (!key.output) return value
  const checked = key.output.safeParse(value)
  if (checked.success) return checked.data
  const issue = checked.error.issues[0]!
  throw new DepError(
    key.name,
    `${key.name} returned a value its output schema rejects${issue.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue.message}`
  )
}

/** A gate's value without a hook: the caller's, else the schema's default (else nothing). */
function unaskedGateValue(gate: Gate<unknown>, current: unknown): unknown {
  if (current !== undefined) return current
  const fallback = gate.schema.safeParse(undefined)
  return fallback.success ? fallback.data : undefined
}

async function askGates(def: AnyNodeDef, fields: readonly FieldInfo[], state: RunState, current: NodeInstance): Promise<Record<string, unknown>> {
  const gates = fields.map((f) => ({ field: f, gate: f.spec as Gate<unknown> }))
  // Without a hook (a plain library run), gate fields keep the caller's value or their default.
  if (!state.gateHook) return Object.fromEntries(gates.map(({ field, gate }) => [field.name, unaskedGateValue(gate, current[field.name])]))
  const cached = state.gates.get(def) ?? {}
  const values: Record<string, unknown> = {}
  const toAsk = gates.filter(({ field, gate }) => gate.everyVisit || !Object.hasOwn(cached, field.name))
  for (const { field, gate } of gates) if (!gate.everyVisit && Object.hasOwn(cached, field.name)) values[field.name] = cached[field.name]
  if (toAsk.length === 0) return values
  const requestFields = toAsk.map(({ field, gate }) => ({ name: field.name, description: gate.description, schema: gate.schema, current: current[field.name] }))
  const answers = await state.gateHook({ node: def.name, fields: requestFields, signal: state.signal })
  for (const field of requestFields) {
    const checked = field.schema.safeParse(answers[field.name])
    if (!checked.success) throw new GraphError(`the answer to gate '${field.name}' of ${def.name} is invalid: ${checked.error.issues[0]!.message}`)
    values[field.name] = checked.data
  }
  state.gates.set(def, { ...cached, ...values })
  return values
}

/**
 * The values of a node's non-plain fields, in declaration order: deps (concurrently, as a DAG),
 * then gates (through the hook), then recalls (from the trace).
 */
export async function resolveFields(def: AnyNodeDef, state: RunState, current: NodeInstance = {}): Promise<Record<string, unknown>> {
  const depFields = def.fields.filter((f) => f.kind === 'dep' || f.kind === 'node-dep')
  if (depFields.length)
    await resolveDeps(
      depFields.map((f) => f.spec as DepKey),
      state,
      def.name
    )
  const gateFields = def.fields.filter((f) => f.kind === 'gate')
  const gates = gateFields.length ? await askGates(def, gateFields, state, current) : {}
  const values: Record<string, unknown> = {}
  for (const field of def.fields) {
    if (field.kind === 'dep' || field.kind === 'node-dep') values[field.name] = state.cache.get(field.spec as DepKey)
    else if (field.kind === 'gate' && Object.hasOwn(gates, field.name)) values[field.name] = gates[field.name]
    else if (field.kind === 'recall') values[field.name] = recallFromTrace(field.spec as Recall<unknown>, state.trace)
  }
  return values
}
