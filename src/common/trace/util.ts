import { TraceFormatError } from './format-error'

/** A plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Sets an own property, also for the key `__proto__`: attribute keys come from untrusted files,
 * and a plain assignment of `__proto__` would replace the object's prototype instead.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** A value quoted for an error message, clipped so a huge blob does not swamp it. */
export function describe(value: unknown): string {
  let text: string
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value))
  } catch {
    text = Object.prototype.toString.call(value)
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}

/** `JSON.parse` that throws {@link TraceFormatError} naming the line and column of a syntax error. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    // The engine's words for what is wrong, without its position (engines differ on whether and how
    // they give one; jsonErrorOffset finds it the same way everywhere) or its echo of the input.
    const reason =
      message
        .replace(/\s*in JSON at position \d+/, '')
        .replace(/\s*\(line \d+ column \d+\)/, '')
        .replace(/, ".*" is not valid JSON$/s, '')
        .trim() || 'syntax error'
    const offset = jsonErrorOffset(text)
    if (offset === undefined) throw new TraceFormatError(`invalid JSON (${reason})`, '', undefined, { cause: error })
    const before = text.slice(0, offset)
    const line = before.split('\n').length
    const column = offset - before.lastIndexOf('\n')
    throw new TraceFormatError(`invalid JSON at column ${column} (${reason})`, '', line, { cause: error })
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y

/**
 * The offset of the first JSON syntax error in `text`, or undefined if it is valid JSON. A small
 * iterative scanner (no recursion, so any nesting depth is fine), run only after JSON.parse failed.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const closers: string[] = []
  let state: 'value' | 'firstValue' | 'key' | 'firstKey' | 'colon' | 'after' = 'value'
  let at = 0
  for (;;) {
    while (at < text.length && (text[at] === ' ' || text[at] === '\t' || text[at] === '\n' || text[at] === '\r')) at++
    if (at >= text.length) return state === 'after' && closers.length === 0 ? undefined : text.length
    const char = text[at]
    if (state === 'after') {
      if (closers.length === 0) return at
      if (char === ',') state = closers.at(-1) === '}' ? 'key' : 'value'
      else if (char === closers.at(-1)) closers.pop()
      else return at
      at++
    } else if (state === 'colon') {
      if (char !== ':') return at
      state = 'value'
      at++
    } else if (state === 'key' || state === 'firstKey') {
      if (char === '}' && state === 'firstKey') {
        closers.pop()
        state = 'after'
        at++
      } else if (char === '"') {
        const end = stringEnd(text, at)
        if (end < 0) return -end - 1
        state = 'colon'
        at = end
      } else return at
    } else if (char === ']' && state === 'firstValue') {
      closers.pop()
      state = 'after'
      at++
    } else if (char === '{' || char === '[') {
      closers.push(char === '{' ? '}' : ']')
      state = char === '{' ? 'firstKey' : 'firstValue'
      at++
    } else if (char === '"') {
      const end = stringEnd(text, at)
      if (end < 0) return -end - 1
      state = 'after'
      at = end
    } else {
      NUMBER.lastIndex = at
      const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, at))
      if (literal) at += literal.length
      else if (NUMBER.test(text)) at = NUMBER.lastIndex
      else return at
      state = 'after'
    }
  }
}

/** The offset after the string that starts at `start`, or −(offset of its error) − 1. */
function stringEnd(text: string, start: number): number {
  let at = start + 1
  while (at < text.length) {
    const char = text.charCodeAt(at)
    if (char === 0x22) return at + 1
    if (char < 0x20) return -at - 1
    if (char === 0x5c) {
      ESCAPE.lastIndex = at
      if (!ESCAPE.test(text)) return -at - 1
      at = ESCAPE.lastIndex
    } else at++
  }
  return -text.length - 1
}
