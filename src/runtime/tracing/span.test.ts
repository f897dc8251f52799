import { context, diag, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api'
import { isTracingSuppressed, suppressTracing } from '@opentelemetry/core'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest'
import { SharedContextManager } from '../engine/async-context'
import { Tracing } from './sdk'
import { toSpanDto } from './span-store'
import { tracer } from './tracer'
import { DEFAULT_LIMITS, RandomIdGenerator, RecordingSpan, RecordingTracer, type Limits } from './span'

/** A processor that keeps what it is told. */
function recorder() {
  const started: Span[] = []
  const ended: ReadableSpan[] = []
  const processor: SpanProcessor = {
    onStart: (span) => void started.push(span),
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {}
  }
  return { started, ended, processor }
}

const resource = resourceFromAttributes({ 'service.name': 'test' })
function ourTracer(processor: SpanProcessor, limits: Limits = DEFAULT_LIMITS) {
  return new RecordingTracer(resource, { name: 'cortex' }, [processor], new RandomIdGenerator(), limits, isTracingSuppressed)
}

afterEach(() => vi.restoreAllMocks())

/** Everything a span does to a span, with explicit times so that two tracers' spans compare exactly. */
function script(span: Span): void {
  span.setAttribute('name', 'Ada')
  span.setAttribute('count', 3)
  span.setAttribute('tags', ['a', 'b'])
  span.setAttribute('mixed', ['a', 1] as unknown as string[]) // not homogeneous: dropped
  span.setAttribute('object', { a: 1 } as unknown as string) // not an attribute value: dropped
  span.setAttribute('', 'no key') // dropped
  span.setAttribute('gone', undefined as unknown as string) // nothing
  span.setAttribute('count', 4) // replaced
  span.setAttributes({ ok: true, list: [1, null, 2] as number[] })
  span.addEvent('plain')
  span.addEvent('with attributes', { 'cortex.dep.name': 'a', bad: { x: 1 } as unknown as string }, [1_700_000_000, 5])
  span.addEvent('time only', [1_700_000_001, 0])
  span.addEvent('epoch milliseconds', { n: 1 }, 1_700_000_001_250)
  span.addEvent('a date', new Date(1_700_000_001_500))
  span.addEvent('long', { text: 'a long attribute value', list: ['a long item', 'short'] }, [1_700_000_001, 750])
  span.recordException(Object.assign(new TypeError('boom'), { stack: 'TypeError: boom\n    at here' }), [1_700_000_002, 0])
  span.recordException({ code: 'ENOENT', message: 'no file' } as unknown as Error, [1_700_000_003, 0])
  span.recordException('just a message', [1_700_000_004, 0])
  span.addLink({ context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }, attributes: { why: 'retry' } })
  span.updateName('renamed')
  span.setStatus({ code: SpanStatusCode.UNSET }) // changes nothing
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'it broke' })
  span.end([1_700_000_010, 500])
  // After the end nothing changes.
  span.setAttribute('late', 1)
  span.addEvent('late')
  span.setStatus({ code: SpanStatusCode.OK })
  span.updateName('late')
  span.end([1_700_000_020, 0])
}

/** What a span records, without its ids (made at random) and the time of events given none. */
function recorded(span: ReadableSpan) {
  const { traceId: _trace, spanId: _span, parentSpanId: _parent, resource: _resource, scope: _scope, ...rest } = toSpanDto(span)
  return {
    ...rest,
    events: rest.events.map((event) => (event.name === 'plain' ? { ...event, time: 'now' } : event)),
    // What a DTO leaves out: the counts of what was dropped, the flags and state of the trace.
    dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
    droppedPerEvent: span.events.map((event) => event.droppedAttributesCount),
    droppedPerLink: span.links.map((link) => link.droppedAttributesCount),
    flags: span.spanContext().traceFlags,
    traceState: span.spanContext().traceState?.serialize()
  }
}

/** Both tracers' spans after the same calls, with the same limits. */
function bothAfterScript(limits: Limits) {
  const ours = recorder()
  const theirs = recorder()
  const sdkTracer = new BasicTracerProvider({ resource, spanProcessors: [theirs.processor], spanLimits: limits }).getTracer('cortex')
  for (const [tracer, kept] of [
    [ourTracer(ours.processor, limits), ours],
    [sdkTracer, theirs]
  ] as const) {
    const span = tracer.startSpan('step', {
      kind: SpanKind.CLIENT,
      startTime: [1_700_000_000, 0],
      attributes: { given: 'at start', invalid: [{}] as unknown as string[] },
      links: [{ context: { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 1 }, attributes: { a: 1, b: 2, c: 3 } }]
    })
    script(span)
    expect(kept.started).toEqual([span])
    expect(kept.ended).toEqual([span]) // told once, however often end is called
  }
  return { our: ours.ended[0]!, their: theirs.ended[0]! }
}

describe("Cortex's span", () => {
  it('records what the SDK span records for the same calls: attribute checks, events, exceptions, links, status, one end', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {})
    vi.spyOn(diag, 'error').mockImplementation(() => {})
    const { our, their } = bothAfterScript(DEFAULT_LIMITS)
    expect(our).toBeInstanceOf(RecordingSpan)
    expect(recorded(our)).toEqual(recorded(their))
    expect(our.duration).toEqual(their.duration)
    expect(our.attributes).toEqual({ given: 'at start', name: 'Ada', count: 4, tags: ['a', 'b'], ok: true, list: [1, null, 2] })
    expect(our.events.map((event) => event.name)).toEqual([
      'plain',
      'with attributes',
      'time only',
      'epoch milliseconds',
      'a date',
      'long',
      'exception',
      'exception',
      'exception'
    ])
    expect(our.events[7]!.attributes).toEqual({ 'exception.type': 'ENOENT', 'exception.message': 'no file' })
  })

  it('keeps plain start attributes as the SDK does, as its own copy (within the limits, and past them)', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {})
    for (const limits of [DEFAULT_LIMITS, { ...DEFAULT_LIMITS, attributeCountLimit: 2 }, { ...DEFAULT_LIMITS, attributeValueLengthLimit: 3 }]) {
      const ours = recorder()
      const theirs = recorder()
      const sdkTracer = new BasicTracerProvider({ resource, spanProcessors: [theirs.processor], spanLimits: limits }).getTracer('cortex')
      for (const tracer of [ourTracer(ours.processor, limits), sdkTracer]) {
        const given: Attributes = { name: 'Ada', count: 3, ok: true }
        Object.defineProperty(given, Symbol('not an attribute'), { value: 'x', enumerable: true })
        const span = tracer.startSpan('step', { startTime: [1_700_000_000, 0], attributes: given })
        given.name = 'changed later'
        given.extra = 'added later'
        span.setAttribute('more', 1)
        span.end([1_700_000_001, 0])
      }
      expect(recorded(ours.ended[0]!)).toEqual(recorded(theirs.ended[0]!))
    }
    const ours = recorder()
    const span = ourTracer(ours.processor).startSpan('step', { attributes: { name: 'Ada', count: 3 } })
    span.setAttribute('more', 1)
    span.end()
    expect(ours.ended[0]!.attributes).toEqual({ name: 'Ada', count: 3, more: 1 })
  })

  it('applies limits as the SDK does: values cut to length, counts, what is dropped', () => {
    vi.spyOn(diag, 'warn').mockImplementation(() => {})
    vi.spyOn(diag, 'error').mockImplementation(() => {})
    const limits: Limits = {
      attributeCountLimit: 3,
      attributeValueLengthLimit: 4,
      eventCountLimit: 4,
      linkCountLimit: 1,
      attributePerEventCountLimit: 1,
      attributePerLinkCountLimit: 2
    }
    const { our, their } = bothAfterScript(limits)
    expect(recorded(our)).toEqual(recorded(their))
    expect(our.attributes).toEqual({ given: 'at s', name: 'Ada', count: 4 })
    expect(our.droppedAttributesCount).toBeGreaterThan(0)
    expect(our.events).toHaveLength(4)
    expect(our.events.find((event) => event.name === 'long')?.attributes).toEqual({ text: 'a lo' })
  })

  it('takes the limits from the environment, as the SDK does (OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, OTEL_SPAN_EVENT_COUNT_LIMIT…)', async () => {
    vi.stubEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', '5')
    vi.stubEnv('OTEL_SPAN_EVENT_COUNT_LIMIT', '1')
    onTestFinished(() => {
      vi.unstubAllEnvs()
    })
    const tracing = Tracing.start()
    onTestFinished(() => tracing.stop())
    const span = tracer().startSpan('prompt', { attributes: { 'gen_ai.input.messages': 'a very long prompt' } })
    span.addEvent('first')
    span.addEvent('second')
    span.end()
    const [kept] = tracing.timeline.spans()
    expect(kept!.attributes).toEqual({ 'gen_ai.input.messages': 'a ver' })
    expect(kept!.events.map((event) => event.name)).toEqual(['second'])
  })

  it('records nothing for an exception with neither a name nor a message, and does not throw, whatever it is', () => {
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {})
    const { ended, processor } = recorder()
    const span = ourTracer(processor).startSpan('s')
    span.recordException(Object.create(null) as Error) // no string form
    span.recordException({} as Error)
    span.end()
    expect(ended[0]!.events).toEqual([])
    expect(warn).toHaveBeenCalledTimes(2)
  })

  it('copies array values, so the caller changing its array later changes nothing', () => {
    const { ended, processor } = recorder()
    const tags = ['a']
    const span = ourTracer(processor).startSpan('s', { attributes: { tags } })
    span.setAttribute('more', tags)
    tags.push('b')
    span.end()
    expect(ended[0]!.attributes).toEqual({ tags: ['a'], more: ['a'] })
  })

  it('shares a frozen attributes object between the spans started with it, until one sets its own; checks it as any other', () => {
    const { ended, processor } = recorder()
    const tracer = ourTracer(processor)
    const shared = Object.freeze({ 'cortex.dep.name': 'fetch', 'cortex.node.name': 'Plan' })
    const spans = Array.from({ length: 3 }, () => tracer.startSpan('dep fetch', { attributes: shared }))
    spans[2]!.setAttribute('extra', 1)
    for (const span of spans) span.end()
    expect(ended[0]!.attributes).toBe(shared)
    expect(ended[1]!.attributes).toBe(shared)
    expect(ended[2]!.attributes).toEqual({ ...shared, extra: 1 })
    expect(shared).toEqual({ 'cortex.dep.name': 'fetch', 'cortex.node.name': 'Plan' })
    // One with a value the spec does not allow, or beyond the limits, is checked on every span.
    const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {})
    const invalid = Object.freeze({ ok: 'yes', bad: { nested: true } as unknown as string })
    for (let i = 0; i < 2; i++) tracer.startSpan('s', { attributes: invalid }).end()
    expect(ended.slice(-2).map((span) => span.attributes)).toEqual([{ ok: 'yes' }, { ok: 'yes' }])
    expect(warn).toHaveBeenCalledTimes(2)
    const limited = ourTracer(processor, { ...DEFAULT_LIMITS, attributeCountLimit: 1 })
    for (let i = 0; i < 2; i++) limited.startSpan('s', { attributes: shared }).end()
    expect(ended.slice(-2).map((span) => [Object.keys(span.attributes).length, span.droppedAttributesCount])).toEqual([
      [1, 1],
      [1, 1]
    ])
  })

  it('keeps at most 128 attributes, events and links, counting what it drops (the oldest events and links go)', () => {
    const { ended, processor } = recorder()
    const span = ourTracer(processor).startSpan('busy')
    for (let i = 0; i < 130; i++) {
      span.setAttribute(`a${i}`, i)
      span.addEvent(`e${i}`)
      span.addLink({ context: { traceId: 'a'.repeat(32), spanId: String(i).padStart(16, '1'), traceFlags: 1 } })
    }
    span.setAttribute('a0', 'replaced') // an existing key is not a new attribute
    span.end()
    const [done] = ended
    expect(Object.keys(done!.attributes)).toHaveLength(128)
    expect(done!.attributes['a0']).toBe('replaced')
    expect(done!.droppedAttributesCount).toBe(2)
    expect(done!.events.map((event) => event.name)[0]).toBe('e2')
    expect(done!.droppedEventsCount).toBe(2)
    expect(done!.links).toHaveLength(128)
    expect(done!.droppedLinksCount).toBe(2)
  })

  it('keeps an OK status once set, and a message only with an error', () => {
    const { ended, processor } = recorder()
    const tracer = ourTracer(processor)
    const ok = tracer.startSpan('ok')
    ok.setStatus({ code: SpanStatusCode.OK, message: 'ignored' })
    ok.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' })
    ok.end()
    const failed = tracer.startSpan('failed')
    failed.setStatus({ code: SpanStatusCode.ERROR, message: 42 as unknown as string })
    failed.end()
    expect(ended.map((span) => span.status)).toEqual([{ code: SpanStatusCode.OK }, { code: SpanStatusCode.ERROR }])
  })

  it('times a span on one clock: children within their parent, durations from the monotonic clock, an end before the start clamped', async () => {
    const { ended, processor } = recorder()
    const tracer = ourTracer(processor)
    const before = Date.now()
    const parent = tracer.startSpan('parent') as RecordingSpan
    tracer.startSpan('child', {}, trace.setSpan(context.active(), parent)).end()
    parent.end()
    const unrelated = tracer.startSpan('another trace')
    unrelated.end()
    const backwards = tracer.startSpan('backwards', { startTime: Date.now() + 60_000 })
    backwards.end()
    const [child, , other, clamped] = ended.filter((span) => span.name !== 'timed')
    const ms = (time: readonly [number, number]) => time[0] * 1000 + time[1] / 1e6
    expect(ms(parent.startTime)).toBeGreaterThanOrEqual(before - 2)
    expect(ms(child!.startTime)).toBeGreaterThanOrEqual(ms(parent.startTime))
    expect(ms(child!.endTime)).toBeLessThanOrEqual(ms(parent.endTime))
    // A span's duration is read off the monotonic clock: within what performance.now() saw around it.
    const outerStart = performance.now()
    const timed = tracer.startSpan('timed')
    const innerStart = performance.now()
    while (performance.now() - innerStart < 2);
    const innerEnd = performance.now()
    timed.end()
    const outer = performance.now() - outerStart
    const durationMs = (timed as RecordingSpan).duration[0] * 1000 + (timed as RecordingSpan).duration[1] / 1e6
    expect(durationMs).toBeGreaterThanOrEqual(innerEnd - innerStart - 0.001)
    expect(durationMs).toBeLessThanOrEqual(outer + 0.001)
    // Another trace's times are on the same clock (Date.now() at each root would put them up to a millisecond apart).
    expect(ms(other!.startTime)).toBeGreaterThanOrEqual(ms(parent.endTime))
    expect(clamped!.duration).toEqual([0, 0])
    expect(clamped!.endTime).toEqual(clamped!.startTime)
  })

  it('moves new traces to the wall clock when it jumps (a machine that slept, a clock set), and back', () => {
    const { ended, processor } = recorder()
    const tracer = ourTracer(processor)
    const realWall = Date.now.bind(Date)
    const ms = (time: readonly [number, number]) => time[0] * 1000 + time[1] / 1e6
    const hour = 3_600_000
    const wall = vi.spyOn(Date, 'now').mockImplementation(() => realWall() + hour) // the wall clock jumped an hour ahead
    tracer.startSpan('after the jump').end()
    wall.mockImplementation(realWall)
    tracer.startSpan('set back').end()
    const [jumped, back] = ended.map((span) => ms(span.startTime) - realWall())
    expect(Math.abs(jumped! - hour)).toBeLessThan(50)
    expect(Math.abs(back!)).toBeLessThan(50)
  })

  it("starts children in their parent's trace; a new trace at the root, for `root`, under an invalid parent; nothing when tracing is suppressed", () => {
    const { ended, processor } = recorder()
    const tracer = ourTracer(processor)
    const parent = tracer.startSpan('parent')
    const inParent = trace.setSpan(context.active(), parent)
    const child = tracer.startSpan('child', {}, inParent)
    const root = tracer.startSpan('root', { root: true }, inParent)
    const invalid = trace.setSpanContext(context.active(), { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 })
    const orphan = tracer.startSpan('orphan', {}, invalid)
    const foreign = trace.setSpanContext(context.active(), { traceId: 'e'.repeat(32), spanId: 'f'.repeat(16), traceFlags: 1, isRemote: true })
    const continued = tracer.startSpan('continued', {}, foreign)
    const suppressed = tracer.startSpan('suppressed', {}, suppressTracing(inParent))
    for (const span of [child, root, orphan, continued, suppressed, parent]) span.end()

    const byName = new Map(ended.map((span) => [span.name, span]))
    const traceOf = (name: string) => byName.get(name)!.spanContext().traceId
    expect(traceOf('child')).toBe(traceOf('parent'))
    expect(byName.get('child')!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId)
    for (const name of ['root', 'orphan']) {
      expect(traceOf(name)).not.toBe(traceOf('parent'))
      expect(byName.get(name)!.parentSpanContext).toBeUndefined()
    }
    expect(traceOf('continued')).toBe('e'.repeat(32))
    expect(byName.get('continued')!.parentSpanContext?.spanId).toBe('f'.repeat(16))
    expect(suppressed.isRecording()).toBe(false)
    expect(byName.has('suppressed')).toBe(false)
  })

  it('runs startActiveSpan with the span active, in every form the API has', () => {
    const manager = new SharedContextManager().enable()
    context.setGlobalContextManager(manager)
    onTestFinished(() => context.disable())
    const { processor } = recorder()
    const tracer = ourTracer(processor)
    const active = (span: Span) => {
      span.end()
      return trace.getActiveSpan() === span
    }
    expect(tracer.startActiveSpan('a', active)).toBe(true)
    expect(tracer.startActiveSpan('b', { attributes: { x: 1 } as Attributes }, active)).toBe(true)
    expect(tracer.startActiveSpan('c', {}, context.active(), active)).toBe(true)
    expect(tracer.startActiveSpan('d', {}, undefined as unknown as Context, active)).toBe(true) // no context given: the active one
  })
})
