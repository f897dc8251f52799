import { describe, expect, it } from 'vitest'
import { SpanBatch } from '../trace-contract'
import { decodeBase64 } from './base64'
import { INTS } from './packed'

/** Base64 of a typed array's bytes, as the runtime sends the columns. */
function base64(array: Int32Array | Float64Array): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
  return btoa(String.fromCharCode(...bytes))
}

/** One span's columns: trace, span id, parent id, flags, name, kind, status, attributes, events, rare, parts. */
function columns(refsAt: { trace: number; name: number; attributes: number; parts: number }) {
  const ints = new Int32Array(INTS)
  ints.set([refsAt.trace, 0x01234567, -0x10, 0, 0, 0, refsAt.name, 0, 0, refsAt.attributes, -1, -1, refsAt.parts])
  return { ints: base64(ints), times: base64(new Float64Array([1_700_000_000, 5, 1_700_000_000, 900])) }
}
/** A span whose events are refs[eventsAt]. */
function columnsWithEvents(eventsAt: number) {
  const ints = new Int32Array(INTS)
  ints.set([0, 1, 2, 0, 0, 0, 1, 0, 0, -1, eventsAt, -1, 2])
  return { ints: base64(ints), times: base64(new Float64Array([1, 0, 1, 1])) }
}
function twoSpansWithEvents(eventsAt: number) {
  const ints = new Int32Array(INTS * 2)
  ints.set([0, 1, 2, 0, 0, 0, 1, 0, 0, -1, eventsAt, -1, 2, 0, 1, 3, 0, 0, 0, 1, 0, 0, -1, eventsAt, -1, 2])
  return { ints: base64(ints), times: base64(new Float64Array([1, 0, 1, 1, 1, 0, 1, 1])) }
}
const parts = { resource: { 'service.name': 'cortex' }, scope: { name: 'cortex' } }
const traceId = '0123456789abcdef0123456789abcdef'

describe('packed spans (the live feed)', () => {
  it('unpack into span DTOs: ids from their words, times as nanosecond strings, shared objects by reference', () => {
    const batch = SpanBatch.parse({
      started: [],
      ended: [],
      packed: { ...columns({ trace: 0, name: 1, attributes: 2, parts: 3 }), refs: [traceId, 'dep fetch', { a: 1 }, parts] }
    })
    expect(batch.ended).toEqual([
      {
        traceId,
        spanId: '01234567fffffff0',
        name: 'dep fetch',
        kind: 'internal',
        startTime: '1700000000000000005',
        endTime: '1700000000000000900',
        attributes: { a: 1 },
        events: [],
        links: [],
        status: { code: 'unset' },
        resource: parts.resource,
        scope: parts.scope
      }
    ])
  })

  it('are rejected, not thrown on, when broken: not base64, columns of different lengths, refs missing or of the wrong kind', () => {
    const good = { ...columns({ trace: 0, name: 1, attributes: -1, parts: 2 }), refs: [traceId, 'n', parts] }
    expect(SpanBatch.safeParse({ started: [], ended: [], packed: good }).success).toBe(true)
    const broken = [
      { ...good, ints: '!!!' },
      { ...good, times: base64(new Float64Array(3)) },
      { ...good, refs: [traceId, 'n'] },
      { ...good, refs: [42, 'n', parts] },
      { ...good, refs: [traceId, { not: 'a name' }, parts] },
      { ...columns({ trace: 0, name: 1, attributes: 9, parts: 2 }), refs: [traceId, 'n', parts] },
      { ...columns({ trace: 0, name: 1, attributes: 1, parts: 2 }), refs: [traceId, 'n', parts] },
      // Events claiming more than they hold (a billion: it must not size an array by that).
      { ...columnsWithEvents(3), refs: [traceId, 'n', parts, { count: 1e9, names: 'dep', times: [1, 2], columns: [] }] },
      { ...columnsWithEvents(3), refs: [traceId, 'n', parts, { count: 2, names: ['a'], times: [1, 2, 3, 4], columns: [] }] },
      // Array-likes that claim a length they do not have, and more event attributes than a batch may hold.
      { ...columnsWithEvents(3), refs: [traceId, 'n', parts, { count: 2, names: 'dep', times: { length: 4 }, columns: [{}, {}] }] },
      { ...columnsWithEvents(3), refs: [traceId, 'n', parts, { count: 300_000, names: 'dep', times: [], keys: ['a', 'b'], columns: [] }] },
      // Two spans sharing one events object (the runtime never sends that: unpacked twice, it would multiply).
      { ...twoSpansWithEvents(3), refs: [traceId, 'n', parts, { count: 1, names: 'dep', times: [1, 2], columns: [{}] }] }
    ]
    for (const packed of broken) {
      const result = SpanBatch.safeParse({ started: [], ended: [], packed })
      expect(result.success, JSON.stringify(packed).slice(0, 80)).toBe(false)
      expect(result.error!.issues[0]!.path[0]).toBe('packed')
    }
  })

  it('base64 decodes the standard and the URL-safe alphabet, and refuses anything else', () => {
    expect([...decodeBase64('+/8=')!]).toEqual([251, 255])
    expect([...decodeBase64('-_8')!]).toEqual([251, 255])
    for (const bad of ['a', 'ab=c', 'ab\u00e9c', 'abc==='] as const) expect(decodeBase64(bad)).toBeUndefined()
  })
})
