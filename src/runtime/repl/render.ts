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

/** A value as the REPL shows it; never throws (a throwing custom inspect falls back to a type name). */
export function render(value: unknown, options: { colors?: boolean; depth?: number } = {}): string {
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
