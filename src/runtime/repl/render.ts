import { inspect, type InspectOptions } from 'node:util'
import { clip } from '../../common/text'

/** Bounded, side-effect-free reprs: no getters run, Proxies shown as such, size capped (pitfalls 9, 13). */
const OPTIONS: InspectOptions = {
  depth: 2,
  maxArrayLength: 100,
  maxStringLength: 10_000,
  breakLength: 100,
  getters: false,
  showProxy: true
}
const MAX_REPR = 100_000

/** A string util.inspect writes as `'text'`: short, no quote, backslash, control character or surrogate to escape. */
// eslint-disable-next-line no-control-regex -- control characters are what inspect escapes
const PLAIN_STRING = /^[^\x00-\x1f'\\\x7f-\x9f\ud800-\udfff]{0,4999}$/

/**
 * What util.inspect writes for a number, bigint, boolean, undefined, null or plain short string,
 * byte for byte (colours from inspect.styles, as inspect reads them); undefined for anything else.
 * Most REPL results are such values, and inspect's general walk costs several times as much.
 */
function renderPrimitive(value: unknown, colors: boolean): string | undefined {
  let text: string
  let style: string
  switch (typeof value) {
    case 'number':
      text = Object.is(value, -0) ? '-0' : String(value)
      style = 'number'
      break
    case 'bigint':
      text = `${value}n`
      style = 'bigint'
      break
    case 'boolean':
      text = String(value)
      style = 'boolean'
      break
    case 'undefined':
      text = 'undefined'
      style = 'undefined'
      break
    case 'string':
      if (!PLAIN_STRING.test(value)) return undefined
      text = `'${value}'`
      style = 'string'
      break
    default:
      if (value !== null) return undefined
      text = 'null'
      style = 'null'
  }
  if (!colors) return text
  // As inspect's stylizeWithColor does it.
  const name = (inspect.styles as Record<string, string | undefined>)[style]
  const codes = name === undefined ? undefined : (inspect.colors as Record<string, [number, number] | undefined>)[name]
  return codes === undefined ? text : `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m`
}

/** A value as the REPL shows it; never throws (a throwing custom inspect falls back to a type name). */
export function render(value: unknown, options: { colors?: boolean; depth?: number } = {}): string {
  const primitive = renderPrimitive(value, options.colors ?? true)
  if (primitive !== undefined) return primitive
  let text: string
  try {
    text = inspect(value, { ...OPTIONS, colors: options.colors ?? true, depth: options.depth ?? OPTIONS.depth })
  } catch (error) {
    let kind = typeof value as string
    try {
      kind = Object.prototype.toString.call(value)
    } catch {
      // a revoked Proxy, say
    }
    text = `${kind} (it could not be shown: ${error instanceof Error ? error.message : String(error)})`
  }
  return clip(text, MAX_REPR)
}

/** A one-line summary for lists (ns(), the inspector, completion details). */
export function preview(value: unknown, max = 80): string {
  const text = render(value, { colors: false, depth: 0 }).replace(/\s+/g, ' ')
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
