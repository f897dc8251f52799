/**
 * Malformed protocol messages for fuzz-style tests: hand-written wrong shapes plus seeded random
 * values. None of them is a valid cancel or error envelope, so a server must answer every one.
 */

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const WRONG_SHAPES: unknown[] = [
  null,
  42,
  'just a string',
  true,
  [],
  [1, 2, 3],
  {},
  { kind: 'request' },
  { kind: 'request', id: 1 },
  { kind: 'request', id: -1, method: 'repl.evaluate', params: { code: '1' } },
  { kind: 'request', id: 1.5, method: 'repl.evaluate', params: { code: '1' } },
  { kind: 'request', id: '7', method: 'repl.evaluate', params: { code: '1' } },
  { kind: 'request', id: 2, method: '', params: {} },
  { kind: 'request', id: 3, method: 'no.such.method', params: {} },
  { kind: 'request', id: 4, method: 'repl.evaluate', params: { code: 42 } },
  { kind: 'request', id: 5, method: 'repl.evaluate' },
  { kind: 'request', id: 6, method: 'runtime.info', params: { unexpected: true } },
  { kind: 'request', id: 7, method: 'toString', params: {} },
  { kind: 'request', id: 8, method: '__proto__', params: {} },
  { kind: 'cancel' },
  { kind: 'cancel', id: 'x' },
  { kind: 'response', id: 1, ok: true, result: 1 },
  { kind: 'event', topic: 'repl.output', payload: {} },
  { kind: 'error' },
  { kind: 'unknown-kind', id: 1 },
  { kind: null },
  { id: 9, method: 'repl.evaluate', params: { code: '1' } }
]

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 2 ? 5 : 8))
  switch (pick) {
    case 0:
      return Math.floor(next() * 2 ** 40) - 2 ** 39
    case 1:
      return next().toString(36).slice(2)
    case 2:
      return next() < 0.5
    case 3:
      return null
    case 4:
      return next() * 1e6
    case 5:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1))
    default: {
      const keys = ['kind', 'id', 'method', 'params', 'topic', 'payload', 'ok', 'error', 'mux', 'op', 'data', next().toString(36).slice(2, 6)]
      const kinds = ['request', 'response', 'event', 'nope', 7, null]
      const object: Record<string, unknown> = {}
      for (let i = Math.floor(next() * 5); i > 0; i--) {
        const key = keys[Math.floor(next() * keys.length)]!
        object[key] = key === 'kind' ? kinds[Math.floor(next() * kinds.length)] : randomValue(next, depth + 1)
      }
      return object
    }
  }
}

/** `count` malformed messages: the wrong shapes first, then random ones from `seed`. */
export function garbageMessages(count: number, seed = 1): unknown[] {
  const next = random(seed)
  const messages = [...WRONG_SHAPES]
  while (messages.length < count) messages.push(randomValue(next, 0))
  return messages.slice(0, count)
}
