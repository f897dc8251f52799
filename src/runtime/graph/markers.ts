import type { z } from 'zod'
import type { AnyNodeDef, InstanceOf, NodeDef } from './node'

/**
 * Field markers: how a node field gets its value when it is not filled by the LM.
 * Markers are branded with a registered symbol rather than checked with `instanceof`, so graph
 * files evaluated in the REPL's own realm work the same.
 */
export const MARKER = Symbol.for('cortex.graph.marker')

/** What a dependency function receives besides its inputs. */
export interface DepContext {
  /** Aborted when the run is cancelled or a sibling dependency failed. Pass it on to I/O. */
  readonly signal: AbortSignal
}

/** An input of a dependency function: another dependency, a recall, or a node filled by the LM. */
export type DepInput = Dep<unknown> | Recall<unknown> | AnyNodeDef

/** The value a dep input stands for. */
export type InputValue<I> = I extends Dep<infer T> ? T : I extends Recall<infer T> ? T : I extends NodeDef<string, infer S> ? InstanceOf<S> : never
export type InputValues<I extends Record<string, DepInput>> = { [K in keyof I]: InputValue<I[K]> }

/** A field computed by a function, at most once per run, before the node runs. */
export interface Dep<T> {
  readonly [MARKER]: 'dep'
  readonly name: string
  /** Validates the function's result; required (validate() reports deps without one). */
  readonly output: z.ZodType<T> | undefined
  readonly inputs: Readonly<Record<string, DepInput>>
  readonly run: (inputs: Record<string, unknown>, context: DepContext) => T | Promise<T>
  /** The same dependency under another name (for traces and errors). */
  named(name: string): Dep<T>
  /** Whether it gets a span of its own (I/O deps), rather than an event on the node's span. */
  readonly spanned: boolean
  /** The same dependency, traced as a span of its own: for deps that do I/O worth seeing. */
  withSpan(): Dep<T>
}

/** A field taken from an earlier node of the run: the most recent match wins. */
export interface Recall<T> {
  readonly [MARKER]: 'recall'
  /** A node (the whole instance is recalled) or a zod schema (the latest plain field declared with it). */
  readonly target: AnyNodeDef | z.ZodType
  readonly _value?: T
}

/** A field a human provides, through the run's gate hook. */
export interface Gate<T> {
  readonly [MARKER]: 'gate'
  readonly schema: z.ZodType<T>
  readonly description: string
  /** Ask on every visit of the node (a review loop), instead of once per run. */
  readonly everyVisit: boolean
}

/** A side effect on an edge: runs after the target node is produced, only if that edge is taken. */
export interface Effect<N extends AnyNodeDef = AnyNodeDef> {
  readonly [MARKER]: 'effect'
  readonly node: N
  readonly fn: (instance: InstanceOf<N['shape']>, context: DepContext) => unknown
}

function makeDep<T>(name: string, output: z.ZodType<T> | undefined, inputs: Record<string, DepInput>, run: Dep<T>['run'], spanned = false): Dep<T> {
  return {
    [MARKER]: 'dep',
    name,
    output,
    inputs,
    run,
    spanned,
    named: (other) => makeDep(other, output, inputs, run, spanned),
    withSpan: () => makeDep(name, output, inputs, run, true)
  }
}

/**
 * A dependency: `dep(Schema, async (inputs, { signal }) => value)`, optionally with inputs
 * `dep(Schema, { location: getLocation, user: recall(UserInfo) }, async ({ location, user }) => …)`.
 * Sync and async functions both work. The function's name names the dep (or use `.named()`).
 */
export function dep<T>(output: z.ZodType<T>, run: (inputs: Record<string, never>, context: DepContext) => T | Promise<T>): Dep<T>
export function dep<T, I extends Record<string, DepInput>>(
  output: z.ZodType<T>,
  inputs: I,
  run: (inputs: InputValues<I>, context: DepContext) => T | Promise<T>
): Dep<T>
export function dep(output: z.ZodType | undefined, inputsOrRun: unknown, maybeRun?: unknown): Dep<unknown> {
  const [inputs, run] = typeof inputsOrRun === 'function' ? [{}, inputsOrRun] : [inputsOrRun ?? {}, maybeRun]
  if (typeof run !== 'function') throw new TypeError('dep(output, [inputs,] fn): the last argument must be a function')
  const name = (run as { name?: string }).name || 'anonymous dep'
  return makeDep(name, output, inputs as Record<string, DepInput>, run as Dep<unknown>['run'])
}

/** Recall the latest node of this kind, or the latest plain field declared with this schema. */
export function recall<N extends AnyNodeDef>(target: N): Recall<InstanceOf<N['shape']>>
export function recall<S extends z.ZodType>(target: S): Recall<z.output<S>>
export function recall(target: AnyNodeDef | z.ZodType): Recall<unknown> {
  return { [MARKER]: 'recall', target }
}

/**
 * A human-input field, asked through the run's gate hook: once per node per run (bae's rule), or
 * on every visit with `{ everyVisit: true }`, for a node a loop comes back to (a review, say).
 */
export function gate<S extends z.ZodType>(schema: S, description = '', options: { everyVisit?: boolean } = {}): Gate<z.output<S>> {
  return { [MARKER]: 'gate', schema: schema as z.ZodType<z.output<S>>, description, everyVisit: options.everyVisit ?? false }
}

/** An edge with a side effect: `.to(() => [effect(Save, (saved) => write(saved)), Retry])`. */
export function effect<N extends AnyNodeDef>(node: N, fn: (instance: InstanceOf<N['shape']>, context: DepContext) => unknown): Effect<N> {
  return { [MARKER]: 'effect', node, fn }
}

export function markerKind(value: unknown): 'dep' | 'recall' | 'gate' | 'effect' | undefined {
  return typeof value === 'object' && value !== null ? ((value as { [MARKER]?: 'dep' | 'recall' | 'gate' | 'effect' })[MARKER] ?? undefined) : undefined
}

export function isDep(value: unknown): value is Dep<unknown> {
  return markerKind(value) === 'dep'
}
export function isRecall(value: unknown): value is Recall<unknown> {
  return markerKind(value) === 'recall'
}
export function isGate(value: unknown): value is Gate<unknown> {
  return markerKind(value) === 'gate'
}
export function isEffect(value: unknown): value is Effect {
  return markerKind(value) === 'effect'
}
