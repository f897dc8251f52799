import type { z } from 'zod'

/** zod's definition of a schema, as far as this file reads it (zod 4's `_zod.def`). */
interface Def {
  type: string
  shape?: Record<string, z.ZodType>
  catchall?: z.ZodType
  options?: z.ZodType[]
  element?: z.ZodType
  items?: z.ZodType[]
  rest?: z.ZodType | null
  innerType?: z.ZodType
  keyType?: z.ZodType
  valueType?: z.ZodType
  left?: z.ZodType
  right?: z.ZodType
  checks?: Array<{ _zod: { def: { check: string; format?: string } } }>
  coerce?: boolean
  /** A string format: `url` normalizes the value it parses. */
  format?: string
}

/** Kinds whose parse gives back the value it was given (when it passes), with no part of their own to look into. */
const LEAVES = new Set([
  'string',
  'number',
  'int',
  'boolean',
  'bigint',
  'symbol',
  'null',
  'undefined',
  'void',
  'never',
  'any',
  'unknown',
  'date',
  'nan',
  'literal',
  'enum',
  'template_literal'
])

const known = new WeakMap<object, boolean>()

/**
 * Whether parsing a valid value with `schema` gives back the value itself: no default, transform,
 * pipe, catch, coercion, freezing, URL normalization or overwriting check (`.trim()`) anywhere in it. For such a schema, a value built
 * by code typed with the schema's input type already is what the parse would give (an object may
 * keep keys the schema does not know, which a parse strips). Anything this file does not know
 * answers false.
 */
export function parsesToItself(schema: z.ZodType | null | undefined): boolean {
  if (!schema) return true
  let answer = known.get(schema)
  if (answer === undefined) {
    known.set(schema, false) // a schema that contains itself (through a getter): no answer, no endless walk
    answer = check(schema)
    known.set(schema, answer)
  }
  return answer
}

function check(schema: z.ZodType): boolean {
  const def = defOf(schema)
  if (!def) return false
  if (def.coerce || def.format === 'url' || def.checks?.some(({ _zod: { def: check } }) => check.check === 'overwrite' || check.format === 'url')) return false
  const all = (schemas: Array<z.ZodType | null | undefined>): boolean => schemas.every(parsesToItself)
  if (LEAVES.has(def.type)) return true
  switch (def.type) {
    case 'object':
      // A strict object (catchall never) refuses keys a value may carry: not taken unparsed.
      return def.catchall?._zod.def.type !== 'never' && all([...Object.values(def.shape ?? {}), def.catchall])
    case 'array':
      return all([def.element])
    case 'tuple':
      return all([...(def.items ?? []), def.rest])
    case 'union':
      return all(def.options ?? [])
    case 'optional':
    case 'nullable':
      return all([def.innerType])
    case 'record':
      return all([def.keyType, def.valueType])
    case 'intersection':
      return all([def.left, def.right])
    default:
      return false // default, prefault, catch, transform, pipe, readonly (freezes), lazy, custom…
  }
}

/** Per object schema: the keys whose field is `default(inner)` with an inner schema that parses to itself, or false. */
const defaulted = new WeakMap<object, readonly string[] | false>()

/**
 * Whether parsing `value` with `schema` gives back `value` itself: {@link parsesToItself}, or an
 * object schema whose only other parts are fields with a default, all of them present in the value
 * (a default applies to a missing field only). For parameters such as `{ code, mode = 'js' }`.
 */
export function parsesToItselfGiven(schema: z.ZodType, value: unknown): boolean {
  if (parsesToItself(schema)) return true
  let keys = defaulted.get(schema)
  if (keys === undefined) {
    keys = defaultedKeys(schema)
    defaulted.set(schema, keys)
  }
  if (!keys || typeof value !== 'object' || value === null) return false
  for (const key of keys) if ((value as Record<string, unknown>)[key] === undefined) return false
  return true
}

function defaultedKeys(schema: z.ZodType): readonly string[] | false {
  const def = defOf(schema)
  if (def?.type !== 'object' || def.checks?.length || def.catchall?._zod.def.type === 'never' || !parsesToItself(def.catchall)) return false
  const keys: string[] = []
  for (const [key, field] of Object.entries(def.shape ?? {})) {
    const fieldDef = defOf(field)
    if (fieldDef?.type === 'default' && !fieldDef.checks?.length && parsesToItself(fieldDef.innerType)) keys.push(key)
    else if (!parsesToItself(field)) return false
  }
  return keys
}

function defOf(schema: z.ZodType | null | undefined): Def | undefined {
  return (schema as unknown as { _zod?: { def?: Def } } | null | undefined)?._zod?.def
}
