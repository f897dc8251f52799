import { describe, expect, it } from 'vitest'
import type { SpanDto } from '../trace-contract'
import { TraceStore } from './store'

const span = (id: number, ended: boolean, name = `s${id}`): SpanDto => ({
  traceId: 'a'.repeat(32),
  spanId: id.toString(16).padStart(16, '0'),
  name,
  kind: 'internal',
  startTime: '1000',
  ...(ended ? { endTime: '2000' } : {}),
  attributes: {},
  events: [],
  links: [],
  status: { code: 'unset' },
  resource: {},
  scope: { name: 'cortex' }
})

describe('TraceStore', () => {
  it('shows a run in progress as open spans, and closes them as their ends arrive', () => {
    const store = new TraceStore()
    const seen: string[][] = []
    store.onDidChange((change) => seen.push(change.spans.map((s) => s.name)))
    store.applyBatch({ started: [span(1, false), span(2, false)], ended: [] })
    expect(store.open().map((s) => s.name)).toEqual(['s1', 's2'])
    store.applyBatch({ started: [], ended: [span(2, true)] })
    expect(store.open().map((s) => s.name)).toEqual(['s1'])
    expect(store.openCount).toBe(1)
    expect(store.get(span(2, true).spanId)!.endTime).toBe('2000')
    expect(seen).toEqual([['s1', 's2'], ['s2']])
  })

  it('never lets an older open copy replace an ended span (a batch may overtake the snapshot)', () => {
    const store = new TraceStore()
    store.applyBatch({ started: [], ended: [span(1, true)] })
    store.add([span(1, false)]) // the snapshot, taken before the span ended
    expect(store.open()).toEqual([])
    expect(store.size).toBe(1)
  })

  it('stays bounded, dropping the oldest ended spans first and never an open one', () => {
    const store = new TraceStore(3)
    store.add([span(1, false), span(2, true), span(3, true), span(4, true), span(5, true)])
    expect(store.spans().map((s) => s.name)).toEqual(['s1', 's4', 's5'])
    expect(store.openCount).toBe(1)
  })
})
