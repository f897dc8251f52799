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
  const def = (schema as unknown as { _zod?: { def?: Def } })._zod?.def
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
