import { inspect } from 'node:util'
import type { z } from 'zod'
import type { LanguageModel } from '../lm/types'
import { isDep, isEffect, isGate, isRecall, markerKind, type Dep, type DepContext, type Effect, type Gate, type Recall } from './markers'

const NODE = Symbol.for('cortex.graph.node')
const INSTANCE_OF = Symbol.for('cortex.graph.instanceOf')
const SET_FIELDS = Symbol.for('cortex.graph.setFields')

/** What a node field can be: an LM-filled zod schema, a dep, a node filled by the LM as a dep, a recall or a gate. */
export type FieldSpec = z.ZodType | Dep<unknown> | Recall<unknown> | Gate<unknown> | AnyNodeDef
export type Shape = Record<string, FieldSpec>

export type FieldValue<F> =
  F extends Dep<infer T>
    ? T
    : F extends Recall<infer T>
      ? T
      : F extends Gate<infer T>
        ? T
        : F extends NodeDef<string, infer S>
          ? InstanceOf<S>
          : F extends z.ZodType
            ? z.output<F>
            : never

/** A node instance: its fields, typed from the node's shape. */
export type InstanceOf<S extends Shape> = { -readonly [K in keyof S]: FieldValue<S[K]> }
/** The instance type of a node definition: `NodeOf<typeof RecommendOOTD>`. */
export type NodeOf<D extends AnyNodeDef> = InstanceOf<D['shape']>
/** Any node instance, whatever its node. */
export type NodeInstance = Record<string, unknown>

/**
 * - plain: filled by the LM (or given as input to the start node)
 * - dep / node-dep: computed before the node runs (a function, or a node the LM fills)
 * - recall: taken from an earlier node of the run
 * - gate: asked of a human
 */
export type FieldKind = 'plain' | 'dep' | 'node-dep' | 'recall' | 'gate'

export interface FieldInfo {
  readonly name: string
  readonly kind: FieldKind
  readonly spec: FieldSpec
  /** Plain fields only: the schema, and whether a value must be provided. */
  readonly schema?: z.ZodType
  readonly required: boolean
}

/** One outgoing edge. `null` stands for "end the run here". */
export type Successor = AnyNodeDef | Effect | null

export type Routing = 'custom' | 'terminal' | 'make' | 'decide'

/** What a node's custom logic receives. */
export interface NodeContext extends DepContext {
  readonly lm: LanguageModel
}

export type NodeLogic<S extends Shape> = (self: InstanceOf<S>, context: NodeContext) => NodeInstance | null | Promise<NodeInstance | null>

export function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value && typeof (value as { safeParse?: unknown }).safeParse === 'function'
}

export function isNodeDef(value: unknown): value is AnyNodeDef {
  return typeof value === 'object' && value !== null && (value as { [NODE]?: unknown })[NODE] === true
}

/** The node definition an instance belongs to. */
export function nodeOf(instance: unknown): AnyNodeDef | undefined {
  return typeof instance === 'object' && instance !== null ? (instance as { [INSTANCE_OF]?: AnyNodeDef })[INSTANCE_OF] : undefined
}

/** The fields that were given a value when the instance was made (the rest may be LM-filled). */
export function setFieldsOf(instance: NodeInstance): ReadonlySet<string> {
  return (instance as { [SET_FIELDS]?: Set<string> })[SET_FIELDS] ?? new Set(Object.keys(instance))
}

function classify(node: string, name: string, spec: unknown): FieldInfo {
  if (isZodSchema(spec)) return { name, kind: 'plain', spec, schema: spec, required: !spec.safeParse(undefined).success }
  if (isNodeDef(spec)) return { name, kind: 'node-dep', spec, required: false }
  if (isDep(spec)) return { name, kind: 'dep', spec, required: false }
  if (isRecall(spec)) return { name, kind: 'recall', spec, required: false }
  if (isGate(spec)) return { name, kind: 'gate', spec, required: false }
  const what = markerKind(spec) === 'effect' ? 'an effect (effects go on edges, in .to())' : describe(spec)
  throw new TypeError(`field '${name}' of node ${node} is ${what}; expected a zod schema, dep(), recall(), gate() or a node`)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  return typeof value === 'object' ? `an object (${inspect(value, { depth: 0, breakLength: Infinity }).slice(0, 60)})` : `a ${typeof value}`
}

/**
 * A node: a named, typed context frame. Its name is the instruction the LM gets; its fields are
 * what the LM fills (zod schemas, whose `.describe()` text reaches the JSON schema) or what deps,
 * recalls and gates provide. Declare successors with `.to(() => …)` (a thunk, so nodes can refer to
 * nodes defined later, and to themselves); a node without successors is terminal.
 */
export class NodeDef<N extends string, S extends Shape> {
  readonly [NODE] = true
  readonly fields: readonly FieldInfo[]
  private successorThunk: (() => Successor | readonly Successor[]) | undefined
  private edgeCache: { targets: AnyNodeDef[]; canStop: boolean; effects: Map<AnyNodeDef, Effect['fn'][]> } | undefined
  private logic: NodeLogic<S> | undefined
  private readonly prototype: object

  constructor(
    readonly name: N,
    readonly shape: S
  ) {
    if (typeof name !== 'string' || !name.trim())
      throw new TypeError('node(name, shape): the name must be a non-empty string; it is the instruction the LM reads')
    if (typeof shape !== 'object' || shape === null || Array.isArray(shape)) throw new TypeError(`node ${name}: the shape must be an object of fields`)
    this.fields = Object.entries(shape).map(([field, spec]) => classify(name, field, spec))
    // Instances print as `Name { … }` and know their node, without extra enumerable keys.
    const constructor = { [name]: function () {} }[name]!
    this.prototype = Object.create(Object.prototype, {
      constructor: { value: constructor, enumerable: false },
      [INSTANCE_OF]: { value: this, enumerable: false }
    }) as object
  }

  /** Declares the successors. Several → the LM decides; include `null` to let it end the run. */
  to(successors: () => Successor | readonly Successor[]): this {
    if (this.successorThunk) throw new Error(`the successors of ${this.name} are already declared`)
    if (typeof successors !== 'function') throw new TypeError(`${this.name}.to() takes a function returning the successor(s), e.g. .to(() => [A, B])`)
    this.successorThunk = successors
    return this
  }

  /**
   * Custom logic: return the next node (made with `Next.make({...})`; missing plain fields are
   * LM-filled) or `null` to end. Logic that makes its own node is attached after the definition,
   * `const Loop = node('Loop', …).to(() => [Loop, End]); Loop.run((self) => Loop.make(…))`:
   * TypeScript cannot type a constant whose initializer refers to itself through a callback's result.
   */
  run(logic: NodeLogic<S>): this {
    if (this.logic) throw new Error(`the logic of ${this.name} is already declared`)
    this.logic = logic
    return this
  }

  get customLogic(): NodeLogic<S> | undefined {
    return this.logic
  }

  /** An instance with the given fields set; fields left out may be filled later (deps, the LM). */
  make(values: Partial<InstanceOf<S>> = {}): InstanceOf<S> {
    const instance = Object.create(this.prototype) as Record<string, unknown>
    Object.defineProperty(instance, SET_FIELDS, { value: new Set(Object.keys(values)), enumerable: false })
    for (const field of this.fields) {
      if (Object.hasOwn(values, field.name)) instance[field.name] = (values as Record<string, unknown>)[field.name]
    }
    return instance as InstanceOf<S>
  }

  is(value: unknown): value is InstanceOf<S> {
    return nodeOf(value) === this
  }

  /** The outgoing edges, resolved from the `.to()` thunk on first use. */
  get edges(): { readonly targets: readonly AnyNodeDef[]; readonly canStop: boolean; readonly effects: ReadonlyMap<AnyNodeDef, readonly Effect['fn'][]> } {
    if (this.edgeCache) return this.edgeCache
    const declared = this.successorThunk ? this.successorThunk() : []
    const list = Array.isArray(declared) ? declared : [declared]
    const targets: AnyNodeDef[] = []
    const effects = new Map<AnyNodeDef, Effect['fn'][]>()
    let canStop = list.length === 0
    for (const [index, item] of list.entries()) {
      if (item === null) {
        canStop = true
        continue
      }
      const target = isEffect(item) ? item.node : item
      if (!isNodeDef(target)) throw new TypeError(`successor ${index} of ${this.name} is ${describe(target)}, not a node`)
      if (!targets.includes(target)) targets.push(target)
      if (isEffect(item)) effects.set(target, [...(effects.get(target) ?? []), item.fn])
    }
    this.edgeCache = { targets, canStop, effects }
    return this.edgeCache
  }

  get routing(): Routing {
    if (this.logic) return 'custom'
    const { targets, canStop } = this.edges
    if (targets.length === 0) return 'terminal'
    return targets.length === 1 && !canStop ? 'make' : 'decide'
  }

  get plainFields(): readonly FieldInfo[] {
    return this.fields.filter((f) => f.kind === 'plain')
  }

  [inspect.custom](): string {
    return `[node ${this.name}]`
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any node, whatever its shape
export type AnyNodeDef = NodeDef<string, any>

/** Defines a node: `node('RecommendOOTD', { top: z.string().describe('…'), wardrobe: GenerateWardrobe })`. */
export function node<const N extends string, S extends Shape>(name: N, shape: S): NodeDef<N, S> {
  return new NodeDef(name, shape)
}
