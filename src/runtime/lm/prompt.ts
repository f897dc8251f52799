import { z } from 'zod'
import { nodeOf, type AnyNodeDef, type FieldInfo, type NodeInstance } from '../graph/node'
import type { JsonSchema } from './types'

/**
 * bae's prompt shape. A fill prompt is, separated by blank lines:
 *   Input data:\n<the plain fields of the node we come from, as JSON>     (if any)
 *   Context:\n<the target's resolved deps, recalls and gates, as JSON>     (if any)
 *   <TargetName>                                                         (the instruction)
 * with the JSON schema of the target's plain fields as the required output.
 */

/** A node instance as the LM sees it: its plain fields only (deps, recalls and gates stay out). */
export function plainData(instance: NodeInstance): Record<string, unknown> {
  const def = nodeOf(instance)
  if (!def) return instance
  const data: Record<string, unknown> = {}
  for (const field of def.plainFields) if (instance[field.name] !== undefined) data[field.name] = instance[field.name]
  return data
}

/** JSON for prompts: node instances as their plain data, Dates as ISO strings, BigInts as strings. */
export function toPromptJson(value: unknown): string {
  return JSON.stringify(
    value,
    function (this: unknown, _key, current: unknown) {
      if (typeof current === 'bigint') return current.toString()
      if (current instanceof Map) return Object.fromEntries(current)
      if (current instanceof Set) return [...current]
      if (typeof current === 'object' && current !== null && nodeOf(current)) return plainData(current as NodeInstance)
      return current
    },
    2
  )
}

export function fillPrompt(context: Record<string, unknown>, instruction: string, source: NodeInstance | undefined): string {
  const parts: string[] = []
  if (source) parts.push(`Input data:\n${toPromptJson(plainData(source))}`)
  if (Object.keys(context).length > 0) parts.push(`Context:\n${toPromptJson(context)}`)
  parts.push(instruction)
  return parts.join('\n\n')
}

export const STOP_CHOICE = 'stop'

export function choosePrompt(candidates: readonly AnyNodeDef[], context: Record<string, unknown>, canStop: boolean): string {
  const options = candidates.map((c) => c.name)
  const stop = canStop ? `\n- ${STOP_CHOICE}: end the run here` : ''
  return `${toPromptJson({ context })}\n\nPick one type: ${[...options, ...(canStop ? [STOP_CHOICE] : [])].join(', ')}${stop}`
}

/** The plain fields the LM must produce: those the context does not already give. */
export function fieldsToFill(target: AnyNodeDef, context: Record<string, unknown>): readonly FieldInfo[] {
  return target.plainFields.filter((f) => context[f.name] === undefined)
}

const plainSchemas = new WeakMap<AnyNodeDef, Map<string, z.ZodObject>>()

/** The zod object of (some of) a node's plain fields: what the LM must produce, and what validates it. */
export function plainSchema(target: AnyNodeDef, fields: readonly FieldInfo[] = target.plainFields): z.ZodObject {
  const key = fields.map((f) => f.name).join('\0')
  let byFields = plainSchemas.get(target)
  if (!byFields) plainSchemas.set(target, (byFields = new Map()))
  let schema = byFields.get(key)
  if (!schema) {
    schema = z.object(Object.fromEntries(fields.map((f) => [f.name, f.schema!])))
    byFields.set(key, schema)
  }
  return schema
}

const SUPPORTED_FORMATS = new Set(['email', 'ipv4', 'ipv6', 'date', 'time', 'date-time', 'duration', 'uuid', 'hostname', 'uri'])
const KEPT_KEYS = new Set([
  'type',
  'description',
  'title',
  'properties',
  'required',
  'items',
  'enum',
  'const',
  'anyOf',
  'allOf',
  '$ref',
  '$defs',
  'default',
  'additionalProperties',
  'format',
  'minItems'
])

/**
 * A JSON schema in the strict subset model providers accept for structured output: every object
 * closed (`additionalProperties: false`), `oneOf` as `anyOf`, only well-supported formats and
 * `minItems` 0/1; any other constraint is moved into the description so the model still sees it.
 */
export function toStrictSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {}
  const folded: string[] = []
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema') continue
    if (key === 'oneOf') out['anyOf'] = (value as JsonSchema[]).map(toStrictSchema)
    else if (key === 'anyOf' || key === 'allOf') out[key] = (value as JsonSchema[]).map(toStrictSchema)
    else if (key === 'properties') out[key] = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, toStrictSchema(v)]))
    else if (key === '$defs') out[key] = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([k, v]) => [k, toStrictSchema(v)]))
    else if (key === 'items' && typeof value === 'object' && value !== null && !Array.isArray(value)) out[key] = toStrictSchema(value as JsonSchema)
    else if (key === 'format' && !SUPPORTED_FORMATS.has(String(value))) folded.push(`format: ${String(value)}`)
    else if (key === 'minItems' && Number(value) > 1) folded.push(`minItems: ${String(value)}`)
    else if (KEPT_KEYS.has(key)) out[key] = value
    else folded.push(`${key}: ${JSON.stringify(value)}`)
  }
  if (out['type'] === 'object') out['additionalProperties'] = false
  if (folded.length) out['description'] = [out['description'], `{${folded.join(', ')}}`].filter(Boolean).join(' ')
  return out
}

const fillSchemas = new WeakMap<z.ZodObject, JsonSchema>()

/** The strict JSON schema of (some of) a node's plain fields. */
export function fillJsonSchema(target: AnyNodeDef, fields: readonly FieldInfo[] = target.plainFields): JsonSchema {
  const zodSchema = plainSchema(target, fields)
  let schema = fillSchemas.get(zodSchema)
  if (!schema) {
    schema = toStrictSchema(z.toJSONSchema(zodSchema, { unrepresentable: 'any' }) as JsonSchema)
    fillSchemas.set(zodSchema, schema)
  }
  return schema
}

export function chooseJsonSchema(options: readonly string[]): JsonSchema {
  return { type: 'object', properties: { choice: { type: 'string', enum: [...options] } }, required: ['choice'], additionalProperties: false }
}
