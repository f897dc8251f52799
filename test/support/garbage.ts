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

/**
 * One fuzz case: a message (or, over a WebSocket, a raw text frame) and the reply the runtime owes.
 * `reply` is the id of the failed response it must send, 'error' for an error envelope (no usable
 * id), or 'none' for a well-formed cancel of an id nobody is running (cancels are never answered).
 */
export interface FuzzCase {
  value: unknown
  /** True when `value` is a raw text frame (truncated or broken JSON), not a value to encode. */
  text?: boolean
  reply: number | 'error' | 'none'
}

const VALID_METHODS = ['runtime.ping', 'repl.evaluate', 'repl.complete', 'repl.ack', 'tasks.list', 'repl.history'] as const

/** Valid envelopes of the runtime contract, the seeds every mutation starts from. */
function validRequest(next: () => number, id: number): { kind: 'request'; id: number; method: string; params: Record<string, unknown> } {
  const method = VALID_METHODS[Math.floor(next() * VALID_METHODS.length)]!
  const params: Record<string, Record<string, unknown>> = {
    'runtime.ping': {},
    'repl.evaluate': { code: '1 + 1', mode: 'js' },
    'repl.complete': { code: 'Math.ma', cursor: 7 },
    'repl.ack': { seq: 1 },
    'tasks.list': {},
    'repl.history': { limit: 10 }
  }
  return { kind: 'request', id, method, params: params[method]! }
}

/** A value of a type no field of these params accepts where it is put (each field is typed). */
const WRONG_VALUES: unknown[] = [null, true, [], {}, 'text', -1, 0, 1.5, 2 ** 64, -(2 ** 64), 1e308, Number.MAX_SAFE_INTEGER + 2]

function deepNesting(depth: number): unknown {
  let value: unknown = 'bottom'
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { nested: value }
  return value
}

/** Replaces one required field of a request's params with a value its schema refuses. */
function wrongParams(request: ReturnType<typeof validRequest>, next: () => number, pick: <T>(items: readonly T[]) => T): void {
  switch (request.method) {
    case 'repl.evaluate':
      request.params = pick([{ code: pick([null, 42, [], { toString: 'x' }, true]) }, { code: '1', mode: pick(['python', '', 7, null]) }, {}])
      break
    case 'repl.complete':
      request.params = pick([{ code: 'Math.', cursor: pick([-1, 1.5, 'end', null, 1e308]) }, { code: 42, cursor: 0 }, { cursor: 3 }])
      break
    case 'repl.ack':
      request.params = { seq: pick([0, -5, 1.5, 'one', null, 2 ** 80, []]) }
      break
    case 'repl.history':
      request.params = { limit: pick([0, -1, 10_001, 'all', 1.5]) }
      break
    default:
      // runtime.ping and tasks.list take no parameters at all (strict): any key is refused.
      request.params = pick([{ unexpected: true }, { [next().toString(36).slice(2, 8)]: pick(WRONG_VALUES) }, { deep: deepNesting(500) }])
  }
}

/**
 * `count` seeded fuzz cases mutated from valid runtime-contract envelopes: unknown methods, wrong
 * parameter types, huge and wrong ids, wrong kinds, missing fields, deep nesting, very long
 * strings, cancels of unknown ids, random values and (with `textFrames`) truncated JSON. None is
 * a request the runtime may run: each must be refused, which the caller checks from the replies.
 */
export function protocolFuzz(count: number, seed: number, options: { textFrames: boolean }): FuzzCase[] {
  const next = random(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!
  // The biggest cases once each, first: a code string over the 10 MB limit, a 1 MB method name, and
  // deep nesting: 5,000 levels as JSON text (the WebSocket refuses to decode it: an error envelope), 400 as a value (Node's own
  // structured clone, which carries IPC messages, overflows its stack a few thousand levels down).
  const cases: FuzzCase[] = [
    { value: { kind: 'request', id: 1, method: 'repl.evaluate', params: { code: 'x'.repeat(10_000_001) } }, reply: 1 },
    { value: { kind: 'request', id: 2, method: 'm'.repeat(1_000_000), params: {} }, reply: 2 },
    options.textFrames
      ? { value: `{"kind":"request","id":3,"method":"runtime.ping","params":${'['.repeat(5000)}${']'.repeat(5000)}}`, text: true, reply: 'error' }
      : { value: { kind: 'request', id: 3, method: 'runtime.ping', params: deepNesting(400) }, reply: 3 }
  ]
  let nextId = 4
  const randoms = garbageMessages(Math.ceil(count / 10) + WRONG_SHAPES.length, seed)
  while (cases.length < count) {
    const id = nextId++
    const request = validRequest(next, id)
    const mutation = Math.floor(next() * (options.textFrames ? 11 : 10))
    switch (mutation) {
      case 0: // unknown methods, some very long, some looking like prototype keys
        request.method = pick([
          'no.such.method',
          'constructor',
          'hasOwnProperty',
          '__proto__',
          `fuzz.${next().toString(36).slice(2)}`,
          'm'.repeat(1 + Math.floor(next() * 2000))
        ])
        cases.push({ value: request, reply: id })
        break
      case 1:
      case 2: // wrong parameter types (the most common mistake of a real client)
        wrongParams(request, next, pick)
        cases.push({ value: request, reply: id })
        break
      case 3: {
        // ids no request may carry: answered with an error envelope, since no call can wait on them
        const badId = pick([0, -id, id + 0.5, 2 ** 53, 2 ** 80, 1e308, String(id), null, [id], { id }, true])
        cases.push({ value: { ...request, id: badId }, reply: 'error' })
        break
      }
      case 4: // wrong kinds: what only a server sends, or nothing at all
        cases.push({ value: { ...request, kind: pick(['response', 'event', 'REQUEST', '', 7, null]) }, reply: 'error' })
        break
      case 5: {
        // a missing field: without method or params the request is still answered on its id
        const field = pick(['method', 'params', 'kind'] as const)
        const { [field]: _dropped, ...rest } = request
        cases.push({ value: rest, reply: field === 'kind' ? 'error' : id })
        break
      }
      case 6: // params that are not an object
        cases.push({ value: { ...request, params: pick([null, 'params', 42, [request.params], deepNesting(400)]) }, reply: id })
        break
      case 7: // cancels: of ids nobody runs (never answered), or malformed (answered)
        if (next() < 0.5) cases.push({ value: { kind: 'cancel', id: 1 + Math.floor(next() * 1e9) }, reply: 'none' })
        else cases.push({ value: { kind: 'cancel', id: pick(['x', -1, 0, 1.5, null, 2 ** 80]) }, reply: 'error' })
        break
      case 8: {
        // long strings beside fields of the wrong type (one in a hundred is a megabyte)
        const filler = 'z'.repeat(next() < 0.01 ? 1_000_000 : Math.floor(next() * 2000))
        cases.push({ value: { ...request, params: { code: 42, cursor: 'x', seq: 'x', limit: 'x', filler } }, reply: id })
        break
      }
      case 9: {
        // the random values of garbageMessages: a request-shaped one with a usable id is answered on it
        const value = randoms[Math.floor(next() * randoms.length)]
        const { kind, id: itsId } = (typeof value === 'object' && value !== null ? value : {}) as { kind?: unknown; id?: unknown }
        const usable = kind === 'request' && typeof itsId === 'number' && Number.isSafeInteger(itsId) && itsId > 0
        cases.push({ value, reply: usable ? itsId : 'error' })
        break
      }
      default: {
        // truncated or broken JSON, as a WebSocket text frame
        const json = JSON.stringify(request)
        const text = next() < 0.7 ? json.slice(0, Math.floor(next() * (json.length - 1))) : json.replace('"', "'")
        cases.push({ value: text, text: true, reply: 'error' })
      }
    }
  }
  return cases
}
