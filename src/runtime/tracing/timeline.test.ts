import { context, diag, INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SpanBatch, type SpanBatchInput } from '../../common/trace-contract'
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { TimelineProcessor, Tracing } from './sdk'
import { toSpanDto } from './span-store'
import { RandomIdGenerator } from './span'
import { addAttributeLater, addDepEvents, tracer } from './tracer'

/** A span's ReadableSpan fields as a plain object (what another tracer's span would be). */
function toSpanDtoFields(span: object): Omit<ReadableSpan, 'spanContext'> {
  const readable = span as ReadableSpan
  const { name, kind, startTime, endTime, status, attributes, links, events, duration, ended, resource, instrumentationScope } = readable
  return {
    name,
    kind,
    startTime,
    endTime,
    status,
    attributes,
    links,
    events,
    duration,
    ended,
    resource,
    instrumentationScope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0
  }
}

let tracing: Tracing | undefined
afterEach(async () => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
  await tracing?.stop()
  tracing = undefined
})

describe('the timeline store', () => {
  it('keeps the latest spans within its bound, oldest first, across many chunks; each is sent once, as ended', async () => {
    const batches: SpanBatch[] = []
    tracing = Tracing.start({ timeline: { maxSpans: 2500, batchMs: 1, onBatch: (batch) => batches.push(SpanBatch.parse(batch)) } })
    const recorded: ReadableSpan[] = []
    for (let i = 0; i < 5000; i++) {
      const span = tracer().startSpan(`span ${i}`, { attributes: { i } })
      span.end()
      recorded.push(span as unknown as ReadableSpan)
    }
    await tracing.flush()

    const spans = tracing.timeline.spans()
    expect(spans.map((span) => span.name)).toEqual(Array.from({ length: 2500 }, (_, i) => `span ${i + 2500}`))
    // Ids and times as recorded, across the chunks that remain.
    expect(spans).toEqual(recorded.slice(2500).map((span) => toSpanDto(span)))
    expect(spans[0]!.attributes).toEqual({ i: 2500 })
    expect(tracing.timeline.evicted).toBe(2500)
    // Each span once, in order; the last batches hold the spans the store kept.
    const sent = batches.flatMap((batch) => batch.ended.map((span) => span.name))
    expect(new Set(sent).size).toBe(sent.length)
    expect(sent.slice(-2500)).toEqual(spans.map((span) => span.name))
  })

  it('keeps what few spans have: a status message, links, events, a parent, the kind', async () => {
    tracing = Tracing.start()
    const linked = tracer().startSpan('linked')
    linked.end()
    tracer().startActiveSpan('parent', (parent) => {
      const child = tracer().startSpan('child', { kind: SpanKind.SERVER, links: [{ context: linked.spanContext(), attributes: { why: 'retry' } }] })
      child.addEvent('dep', { 'cortex.dep.name': 'a' })
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'it broke' })
      child.end()
      parent.end()
    })
    const [, child, parent] = tracing.timeline.spans()
    expect(child).toMatchObject({
      name: 'child',
      kind: 'server',
      parentSpanId: parent!.spanId,
      status: { code: 'error', message: 'it broke' },
      links: [{ spanId: linked.spanContext().spanId, attributes: { why: 'retry' } }],
      events: [{ name: 'dep', attributes: { 'cortex.dep.name': 'a' } }]
    })
    expect(BigInt(child!.endTime!)).toBeGreaterThanOrEqual(BigInt(child!.startTime))
    expect(parent!.status).toEqual({ code: 'unset' })
  })

  it('gives back events of every shape as recorded: same or differing names, keys and values', async () => {
    tracing = Tracing.start()
    const deps = tracer().startSpan('node Deps')
    for (let i = 0; i < 5; i++)
      deps.addEvent('dep', { 'cortex.dep.name': `d${i}`, 'cortex.dep.duration_ms': i === 2 ? 0.5 : i / 3, 'cortex.node.name': 'Deps' }, 1000 + i)
    deps.end()
    const mixed = tracer().startSpan('node Mixed')
    mixed.addEvent('dep', { 'cortex.dep.name': 'a', 'cortex.dep.duration_ms': 1 })
    mixed.addEvent('exception', { 'exception.message': 'boom', 'exception.type': 'Error' })
    mixed.addEvent('dep', { 'cortex.dep.name': 'b', 'cortex.dep.duration_ms': 'slow', tags: ['x', 'y'] })
    mixed.end()
    const sameValues = tracer().startSpan('node Same')
    for (let i = 0; i < 3; i++) sameValues.addEvent('tick', { n: 7, label: 'same' })
    sameValues.end()
    const asRecorded = [deps, mixed, sameValues].map((span) => toSpanDto(span as unknown as ReadableSpan))
    expect(tracing.timeline.spans()).toEqual(asRecorded)
    expect(asRecorded[0]!.events.map((event) => event.attributes['cortex.dep.duration_ms'])).toEqual([0, 1 / 3, 0.5, 1, 4 / 3])
  })

  it("keeps one attributes object for a name's spans while their attributes stay the same, and each span's own otherwise", () => {
    tracing = Tracing.start()
    const given = [{ a: 1 }, { a: 1 }, { a: 1, b: 2 }, { a: 2 }, { b: 2, a: 1 }, { a: 1, b: 2 }, { tags: ['x'] }, { tags: ['x'] }, {}]
    for (const attributes of given) tracer().startSpan('dep fetch', { attributes }).end()
    const spans = tracing.timeline.spans()
    expect(spans.map((span) => span.attributes)).toEqual(given)
    expect(spans[1]!.attributes).toBe(spans[0]!.attributes)
    expect(spans[5]!.attributes).toBe(spans[4]!.attributes) // the same keys in another order are the same attributes
    expect(spans[7]!.attributes).not.toBe(spans[6]!.attributes) // arrays are each span's own copy
  })

  it("places dep events within their node's span, even a dep that resolved as the span started", () => {
    tracing = Tracing.start()
    for (let i = 0; i < 200; i++) {
      const span = tracer().startSpan('node Quick')
      addDepEvents(span, { names: ['instant'], node: 'Quick', times: [performance.now(), performance.now()] })
      span.end()
    }
    for (const span of tracing.timeline.spans()) {
      const time = BigInt(span.events[0]!.time)
      expect(time >= BigInt(span.startTime) && time <= BigInt(span.endTime!)).toBe(true)
    }
  })

  it('lists the spans still open in the order they started, whichever order the others end in; the feed announces each once', async () => {
    const batches: SpanBatch[] = []
    tracing = Tracing.start({ timeline: { batchMs: 60_000, onBatch: (batch) => batches.push(SpanBatch.parse(batch)) } })
    const spans = Array.from({ length: 120 }, (_, i) => tracer().startSpan(`s${i}`))
    // Siblings ending in order, nested ones innermost first, and a scattered rest (a fixed shuffle).
    const order = [...Array.from({ length: 40 }, (_, i) => i + 10), ...Array.from({ length: 30 }, (_, i) => 119 - i)]
    const rest = Array.from({ length: 120 }, (_, i) => i).filter((i) => !order.includes(i))
    for (let i = 0; i < rest.length; i += 2) order.push(rest[(i * 7) % rest.length]!)
    const ended = new Set<number>()
    for (const [step, index] of order.entries()) {
      if (ended.has(index)) continue
      spans[index]!.end()
      ended.add(index)
      if (step % 10 !== 0) continue
      const listed = tracing.timeline.spans()
      const open = listed.filter((span) => span.endTime === undefined).map((span) => span.name)
      expect(open).toEqual(
        spans
          .map((_, i) => i)
          .filter((i) => !ended.has(i))
          .map((i) => `s${i}`)
      )
      expect(listed).toHaveLength(120)
      expect(tracing.timeline.size).toBe(120)
      if (step % 20 === 0) tracing.timeline.flush()
    }
    for (const [i, span] of spans.entries()) if (!ended.has(i)) span.end()
    expect(tracing.timeline.spans().filter((span) => span.endTime === undefined)).toEqual([])
    tracing.timeline.flush()
    // Every span is sent ended once; one still open at a batch was announced as started once, before.
    const endedNames = batches.flatMap((batch) => batch.ended.map((span) => span.name))
    const startedNames = batches.flatMap((batch) => batch.started.map((span) => span.name))
    expect([...endedNames].sort()).toEqual(spans.map((_, i) => `s${i}`).sort())
    expect(new Set(startedNames).size).toBe(startedNames.length)
    for (const name of startedNames) {
      const startedIn = batches.findIndex((batch) => batch.started.some((span) => span.name === name))
      const endedIn = batches.findIndex((batch) => batch.ended.some((span) => span.name === name))
      expect(startedIn).toBeLessThan(endedIn)
    }
  })

  it('announces the spans started since the last batch, after many others ended out of order', () => {
    const batches: SpanBatch[] = []
    tracing = Tracing.start({ timeline: { batchMs: 60_000, onBatch: (batch) => batches.push(SpanBatch.parse(batch)) } })
    const first = Array.from({ length: 100 }, (_, i) => tracer().startSpan(`first ${i}`))
    tracing.timeline.flush()
    const second = Array.from({ length: 30 }, (_, i) => tracer().startSpan(`second ${i}`))
    // Siblings in the middle end, in order: the list compacts, moving the new spans.
    for (let i = 20; i < 90; i++) first[i]!.end()
    tracing.timeline.flush()
    expect(batches[1]!.started.map((span) => span.name)).toEqual(second.map((_, i) => `second ${i}`))
    expect(tracing.timeline.spans().filter((span) => span.endTime === undefined)).toHaveLength(60)
  })

  it('sends ended spans packed, and a window unpacks them into the spans as recorded', () => {
    const wire: SpanBatchInput[] = []
    tracing = Tracing.start({ timeline: { batchMs: 60_000, onBatch: (batch) => wire.push(batch) } })
    const recorded: ReadableSpan[] = []
    const keep = <T>(span: T): T => (recorded.push(span as unknown as ReadableSpan), span)
    const linked = keep(tracer().startSpan('linked'))
    linked.end()
    // A parent from elsewhere, its id in capitals (valid W3C, kept as lowercase hex).
    const remote = trace.setSpanContext(context.active(), {
      traceId: 'ABCDEF0123456789ABCDEF0123456789',
      spanId: 'ABCDEF0123456789',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true
    })
    const shared = Object.freeze({ 'cortex.dep.name': 'fetch', 'cortex.node.name': 'Plan' })
    for (let i = 0; i < 3; i++) keep(tracer().startSpan('dep fetch', { attributes: shared }, remote)).end()
    const failed = keep(tracer().startSpan('child', { kind: SpanKind.CLIENT, links: [{ context: linked.spanContext(), attributes: { why: 'retry' } }] }))
    failed.recordException(new Error('boom'))
    failed.setStatus({ code: SpanStatusCode.ERROR, message: 'it broke' })
    failed.end()
    const stillOpen = tracer().startSpan('still open', {}, remote)
    const node = keep(tracer().startSpan('node Plan', { attributes: { 'cortex.step': 1 } }))
    const now = performance.now()
    addDepEvents(node, { names: ['a', 'b'], node: 'Plan', times: [now - 0.5, now, now - 1.25, now] })
    node.end()
    tracing.timeline.flush()

    expect(wire).toHaveLength(1)
    // Columns as base64 and a table of what the spans share: the dep spans' name and attributes once.
    const packed = wire[0]!.packed!
    expect(wire[0]!.ended).toEqual([])
    expect(packed.refs.filter((ref) => ref === shared)).toHaveLength(1)
    expect(packed.refs.filter((ref) => ref === 'dep fetch')).toHaveLength(1)
    const received = SpanBatch.parse(JSON.parse(JSON.stringify(wire[0])) as unknown).ended
    const stored = tracing.timeline.spans().filter((span) => span.endTime !== undefined)
    expect(received).toEqual(stored)
    const lowercaseIds = (span: ReturnType<typeof toSpanDto>) => ({
      ...span,
      traceId: span.traceId.toLowerCase(),
      ...(span.parentSpanId ? { parentSpanId: span.parentSpanId.toLowerCase() } : {})
    })
    // As recorded; the node's dep events were handed to the timeline, not to the span.
    const asRecorded = recorded.map((span) => lowercaseIds(toSpanDto(span)))
    expect(stored).toEqual([...asRecorded.slice(0, -1), { ...asRecorded.at(-1), events: stored.at(-1)!.events }])
    expect(received[1]).toMatchObject({ traceId: 'abcdef0123456789abcdef0123456789', parentSpanId: 'abcdef0123456789' })
    const { started } = SpanBatch.parse(wire[0])
    expect(started.map((span) => [span.name, span.traceId, span.parentSpanId])).toEqual([
      ['still open', 'abcdef0123456789abcdef0123456789', 'abcdef0123456789']
    ])
    stillOpen.end()
    expect(received.at(-1)!.events.map((event) => [event.name, event.attributes['cortex.dep.name']])).toEqual([
      ['dep', 'a'],
      ['dep', 'b']
    ])
  })

  it("keeps one list of a node's dep names while its runs resolve the same deps", () => {
    const wire: SpanBatchInput[] = []
    tracing = Tracing.start({ timeline: { batchMs: 60_000, onBatch: (batch) => wire.push(batch) } })
    for (const names of [
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'c']
    ]) {
      const span = tracer().startSpan('node Plan')
      addDepEvents(span, { names: [...names], node: 'Plan', times: [performance.now() - 1, performance.now(), performance.now() - 2, performance.now()] })
      span.end()
    }
    tracing.timeline.flush()
    const columns = wire[0]!.packed!.refs.filter((ref): ref is { columns: unknown[] } => typeof ref === 'object' && ref !== null && 'columns' in ref)
    expect(columns.map((events) => events.columns[0])).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'c']
    ])
    expect(columns[1]!.columns[0]).toBe(columns[0]!.columns[0])
    expect(SpanBatch.parse(wire[0]).ended.map((span) => span.events.map((event) => event.attributes['cortex.dep.name']))).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'c']
    ])
  })

  it('lets go of what it kept for a name once the chunks with its spans are evicted (the bounds hold for everything)', () => {
    tracing = Tracing.start({ timeline: { maxSpans: 1000 } })
    const big = 'x'.repeat(1 << 20)
    tracer().startSpan('old', { attributes: { big } }).end()
    for (let i = 0; i < 3000; i++) tracer().startSpan('new').end()
    expect(tracing.timeline.spans().some((span) => span.name === 'old')).toBe(false)
    // The store's internals: its name table must not hold the evicted span's attributes.
    const names = (tracing.timeline as unknown as { store: { names: { entries: Map<string, { attributes?: unknown }> } } }).store.names
    expect(names.entries.get('old')!.attributes).toBeUndefined()
  })

  it('stores ended spans a turn later without anyone asking, and never holds more than a bounded number back', async () => {
    tracing = Tracing.start()
    const timeline = tracing.timeline as unknown as { ended: unknown[]; store: { size: number } }
    tracer().startSpan('one').end()
    expect(timeline.store.size).toBe(0)
    await new Promise((resolve) => setImmediate(resolve))
    expect(timeline.store.size).toBe(1)
    // A loop that ends thousands of spans in one turn: the ones waiting stay bounded.
    let waitingAtMost = 0
    for (let i = 0; i < 5000; i++) {
      tracer().startSpan('many').end()
      waitingAtMost = Math.max(waitingAtMost, timeline.ended.length)
    }
    expect(waitingAtMost).toBeLessThanOrEqual(128)
    expect(timeline.store.size).toBeGreaterThan(5000 - 128)
    expect(tracing.timeline.spans()).toHaveLength(5001)
  })

  it('makes an attribute handed over for later when the span is stored, once, checked as setAttribute checks it', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {})
    vi.stubEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', '3')
    tracing = Tracing.start()
    let made = 0
    const span = tracer().startSpan('chat', { attributes: { given: 1, kept: 'yes' } })
    addAttributeLater(span, 'answer', () => `made ${++made}`)
    addAttributeLater(span, 'kept', () => 'replaced')
    addAttributeLater(span, 'invalid', () => ({ not: 'a value' }) as unknown as string)
    addAttributeLater(span, 'one too many', () => 'dropped')
    span.end()
    expect(made).toBe(0)
    const [stored] = tracing.timeline.spans()
    expect(stored!.attributes).toEqual({ given: 1, kept: 'replaced', answer: 'made 1' })
    expect(tracing.timeline.spans()[0]!.attributes).toEqual(stored!.attributes)
    expect(made).toBe(1)
    // A span that is not recorded takes nothing.
    addAttributeLater(trace.wrapSpanContext(INVALID_SPAN_CONTEXT), 'answer', () => `made ${++made}`)
    expect(made).toBe(1)
  })

  it('leaves out a span it cannot keep (a malformed one of another tracer) and keeps every other once', async () => {
    vi.spyOn(diag, 'error').mockImplementation(() => {})
    tracing = Tracing.start()
    const [good, bad, after] = ['good', 'bad', 'after'].map((name) => {
      const span = tracer().startSpan(name)
      span.end()
      return span as unknown as ReadableSpan
    })
    await tracing.stop()
    tracing = undefined
    const timeline = new TimelineProcessor()
    timeline.onEnd(good!)
    // Without an instrumentation scope (an SDK 1.x span has an instrumentationLibrary instead).
    timeline.onEnd(Object.create(bad as object, { instrumentationScope: { value: undefined } }) as ReadableSpan)
    timeline.onEnd(after!)
    for (let i = 0; i < 3; i++) expect(timeline.spans().map((span) => span.name)).toEqual(['good', 'after'])
    expect(diag.error).toHaveBeenCalledTimes(1)
  })

  it("keeps a span whose ids are not 16 hex digits (another tracer's) as it came", () => {
    tracing = Tracing.start()
    const timeline = new TimelineProcessor()
    const span = tracer().startSpan(
      'odd',
      {},
      trace.setSpanContext(context.active(), { traceId: '0123456789abcdef0123456789abcdef', spanId: '0123456789abcdef', traceFlags: 1 })
    )
    span.end()
    const odd = Object.create(span as object, {
      spanContext: { value: () => ({ ...span.spanContext(), spanId: 'not-a-hex-id' }) },
      parentSpanContext: { value: { traceId: span.spanContext().traceId, spanId: 'XYZ', traceFlags: 1 } }
    }) as ReadableSpan
    timeline.onEnd(odd)
    // Another tracer's span (not Cortex's), with an odd id and no parent.
    const foreign = { ...toSpanDtoFields(span), spanContext: () => ({ ...span.spanContext(), spanId: 'ODD-ID' }), parentSpanContext: undefined } as ReadableSpan
    timeline.onEnd(foreign)
    expect(timeline.spans().map((dto) => [dto.spanId, dto.parentSpanId, dto.name])).toEqual([
      ['not-a-hex-id', 'xyz', 'odd'],
      ['odd-id', undefined, 'odd']
    ])
  })

  it('shows the spans open when tracing is switched off as they were, and records nothing after', async () => {
    tracing = Tracing.start()
    const open = tracer().startSpan('still open')
    await tracing.stop()
    open.end()
    tracer().startSpan('after').end()
    expect(tracing.timeline.spans().map((span) => [span.name, span.endTime])).toEqual([['still open', undefined]])
    expect(trace.getActiveSpan()).toBeUndefined()
  })
})

describe('span and trace ids', () => {
  it('are distinct lowercase hex of the W3C lengths, never all zeros', () => {
    const ids = new RandomIdGenerator()
    const spanIds = Array.from({ length: 3000 }, () => ids.generateSpanId())
    const traceIds = Array.from({ length: 1000 }, () => ids.generateTraceId())
    expect(spanIds.every((id) => /^[0-9a-f]{16}$/.test(id) && !/^0+$/.test(id))).toBe(true)
    expect(traceIds.every((id) => /^[0-9a-f]{32}$/.test(id) && !/^0+$/.test(id))).toBe(true)
    expect(new Set(spanIds).size).toBe(3000)
    expect(new Set(traceIds).size).toBe(1000)
    // Every hex digit, in every position of a span id.
    for (let at = 0; at < 16; at++) expect(new Set(spanIds.map((id) => id[at])).size).toBe(16)
  })

  it('draws an all-zero id again (the W3C invalid id)', () => {
    const random = vi.spyOn(Math, 'random')
    random.mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValueOnce(0.5).mockReturnValueOnce(0.25)
    expect(new RandomIdGenerator().generateSpanId()).toBe('8000000040000000')
    random.mockRestore()
  })
})
