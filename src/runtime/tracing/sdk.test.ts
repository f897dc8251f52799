import vm from 'node:vm'
import { trace } from '@opentelemetry/api'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { graph } from '../graph/graph'
import { dep } from '../graph/markers'
import { node } from '../graph/node'
import { createLm, MockBackend } from '../lm'
import type { SpanDto } from '../../common/trace-contract'
import { inSpan } from './tracer'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { Tracing } from './sdk'
import { toSpanDto } from './span-store'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let tracing: Tracing | undefined
afterEach(async () => {
  await tracing?.stop()
  tracing = undefined
})

/** The span tree as indented lines, to compare whole (siblings in order of start, concurrent ones by name). */
function tree(spans: readonly SpanDto[]): string {
  const children = new Map<string | undefined, SpanDto[]>()
  const ids = new Set(spans.map((s) => s.spanId))
  const step = (span: SpanDto) => Number(span.attributes['cortex.step'] ?? 0)
  const label = (span: SpanDto) =>
    span.attributes['cortex.lm.kind'] ? `${span.name} (${String(span.attributes['cortex.lm.kind'])} ${String(span.attributes['cortex.node.name'])})` : span.name
  for (const span of [...spans].sort((a, b) => step(a) - step(b) || label(a).localeCompare(label(b)))) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined
    children.set(parent, [...(children.get(parent) ?? []), span])
  }
  const lines: string[] = []
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      lines.push(`${'  '.repeat(depth)}${label(span)}`)
      walk(span.spanId, depth + 1)
    }
  }
  walk(undefined, 0)
  return lines.join('\n')
}

describe('the span tree', () => {
  const getLocation = dep(z.string(), async function getLocation() {
    await sleep(5)
    return 'Seattle'
  })
  const getWeather = dep(z.object({ temp: z.number() }), { location: getLocation }, async function getWeather() {
    await sleep(10)
    return { temp: 12 }
  }).withSpan()
  const getCalendar = dep(z.array(z.string()), async function getCalendar() {
    await sleep(10)
    return ['standup']
  }).withSpan()
  const Vibe = node('VibeCheck', { mood: z.string() })
  const Style = node('StyleCheck', { style: z.string() })
  const Recommend = node('Recommend', { outfit: z.string() })
  const Plan = node('Plan', { weather: getWeather, calendar: getCalendar, vibe: Vibe, style: Style }).to(() => Recommend)
  const Start = node('Start', { who: z.string() }).to(() => Plan)
  const ootd = graph(Start)
  const lm = () =>
    createLm(
      new MockBackend({ fill: { VibeCheck: { mood: 'sleepy' }, StyleCheck: { style: 'cosy' }, Plan: {}, Recommend: { outfit: 'a sweater' } }, delayMs: 10 })
    )

  it('pitfall-05 has the right parents under concurrent deps, node-as-dep LM calls and concurrent runs (no orphan, not flat)', async () => {
    // The SDK's in-memory exporter, as a collector that keeps every trace.
    const exporter = new InMemorySpanExporter()
    tracing = Tracing.start({ collector: { url: 'unused', exporter, ratio: 1, captureContent: true } })
    await Promise.all([1, 2].map((n) => inSpan('repl.input', { 'cortex.eval.id': n }, () => ootd({ who: `user ${n}` }, { lm: lm() }))))
    await tracing.flush()
    const spans = exporter.getFinishedSpans().map((span) => toSpanDto(span))
    // The timeline recorded the same spans, to the nanosecond (it keeps them packed, and unpacks them when asked).
    const bySpanId = (list: readonly SpanDto[]) => [...list].sort((a, b) => a.spanId.localeCompare(b.spanId))
    expect(bySpanId(tracing.timeline.spans())).toEqual(bySpanId(spans))
    expect(spans.every((s) => s.endTime !== undefined)).toBe(true)
    const traces = new Set(spans.map((s) => s.traceId))
    expect(traces.size).toBe(2)
    // No orphans: every span but a trace's root has its parent in the same trace; the count is bounded (10 a run).
    const byId = new Map(spans.map((s) => [s.spanId, s]))
    expect(spans.filter((s) => s.parentSpanId !== undefined && byId.get(s.parentSpanId)?.traceId !== s.traceId)).toEqual([])
    expect(spans.filter((s) => s.parentSpanId === undefined).map((s) => s.name)).toEqual(['repl.input', 'repl.input'])
    expect(spans).toHaveLength(20)
    for (const traceId of traces) {
      // The node step makes its successor: Plan's deps (two with spans of their own) and its two
      // node-as-dep LM fills run concurrently inside it.
      expect(tree(spans.filter((s) => s.traceId === traceId))).toBe(
        [
          'repl.input',
          '  invoke_workflow Start',
          '    node Start',
          '      chat mock (fill StyleCheck)',
          '      chat mock (fill VibeCheck)',
          '      dep getCalendar',
          '      dep getWeather',
          '    node Plan',
          '      chat mock (fill Recommend)',
          '    node Recommend'
        ].join('\n')
      )
    }
    // The two node-as-dep fills really were concurrent (their spans overlap).
    const [vibe, style] = ['VibeCheck', 'StyleCheck'].map((name) => spans.find((s) => s.attributes['cortex.node.name'] === name && s.name.startsWith('chat'))!)
    expect(BigInt(vibe!.startTime) < BigInt(style!.endTime!) && BigInt(style!.startTime) < BigInt(vibe!.endTime!)).toBe(true)
    // Deps are events on the node span, with name and duration; a dep with a span of its own is its span.
    const startStep = spans.find((s) => s.name === 'node Start')!
    expect(startStep.events.map((e) => e.attributes['cortex.dep.name']).sort()).toEqual(['StyleCheck', 'VibeCheck', 'getLocation'])
    expect(startStep.events.every((e) => typeof e.attributes['cortex.dep.duration_ms'] === 'number')).toBe(true)
    // The LM span follows the GenAI conventions.
    expect(vibe!.kind).toBe('client')
    expect(vibe!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'mock',
      'gen_ai.request.model': 'mock',
      'gen_ai.output.type': 'json'
    })
  })

  it('pitfall-05 leaves no span open after an exception, marks the failed ones, and leaves no stale parent behind', async () => {
    tracing = Tracing.start()
    const broken = dep(z.string(), async function broken() {
      await sleep(1)
      throw new Error('the weather service is down')
    }).withSpan()
    const Fails = node('Fails', { weather: broken })
    const Begin = node('Begin', {}).to(() => Fails)
    await expect(inSpan('repl.input', {}, () => graph(Begin)({}, { lm: lm() }))).rejects.toThrow('the weather service is down')
    const spans = tracing.timeline.spans()
    expect(spans.filter((s) => s.endTime === undefined)).toEqual([])
    expect(spans.map((s) => `${s.name}: ${s.status.code}`).sort()).toEqual([
      'dep broken: error',
      'invoke_workflow Begin: error',
      'node Begin: error',
      'repl.input: error'
    ])
    expect(spans.find((s) => s.name === 'dep broken')!.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.message': expect.stringContaining('the weather service is down') }
    })
    // What runs next starts a trace of its own: the failed spans are no one's parent.
    expect(trace.getActiveSpan()).toBeUndefined()
    await inSpan('repl.input', {}, async () => {})
    const next = tracing.timeline.spans().at(-1)!
    expect(next.name).toBe('repl.input')
    expect(next.parentSpanId).toBeUndefined()
    expect(spans.some((s) => s.traceId === next.traceId)).toBe(false)
  })

  it('pitfall-05 ends the span whatever is thrown: a value with no string form, an error of another realm, a synchronous throw', async () => {
    tracing = Tracing.start()
    const unprintable = Object.create(null) as object // String(it) throws
    const otherRealm = vm.runInNewContext('new TypeError("from the namespace")') as Error
    await expect(inSpan('throws unprintable', {}, async () => Promise.reject(unprintable))).rejects.toBe(unprintable)
    await expect(inSpan('throws other realm', {}, async () => Promise.reject(otherRealm))).rejects.toBe(otherRealm)
    await expect(
      inSpan('throws at once', {}, () => {
        throw new RangeError('before any promise')
      })
    ).rejects.toThrow('before any promise')
    const spans = tracing.timeline.spans()
    expect(spans.filter((s) => s.endTime === undefined)).toEqual([])
    const byName = (name: string) => spans.find((s) => s.name === name)!
    expect(byName('throws unprintable').status.code).toBe('error')
    expect(byName('throws other realm').events[0]!.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'from the namespace' })
    expect(byName('throws at once').status).toEqual({ code: 'error', message: 'before any promise' })
  })

  it('pitfall-11 records pure-compute deps as events on their node span, not as spans: 50 deps add no span', async () => {
    tracing = Tracing.start()
    const shape: Record<string, ReturnType<typeof dep<number>>> = {}
    for (let i = 0; i < 50; i++) shape[`dep${i}`] = dep(z.number(), () => i).named(`dep${i}`)
    const Answer = node('Answer', { value: z.number() })
    const Gather = node('Gather', shape).to(() => Answer)
    await inSpan('repl.input', {}, () => graph(Gather)({}, { lm: createLm(new MockBackend({ fill: { Answer: { value: 1 } } })) }))
    const spans = tracing.timeline.spans()
    // One span for the input, the graph run, each node step and the LM call; none for a dep.
    expect(spans.map((s) => s.name).sort()).toEqual(['chat mock', 'invoke_workflow Gather', 'node Answer', 'node Gather', 'repl.input'])
    const gather = spans.find((s) => s.name === 'node Gather')!
    expect(gather.events.map((e) => e.attributes['cortex.dep.name']).sort()).toEqual(Object.keys(shape).sort())
    for (const event of gather.events) {
      expect(event).toMatchObject({ name: 'dep', attributes: { 'cortex.node.name': 'Gather', 'cortex.dep.duration_ms': expect.any(Number) } })
      // Each event carries the time its dep resolved, within the node's step.
      expect(BigInt(event.time) >= BigInt(gather.startTime) && BigInt(event.time) <= BigInt(gather.endTime!)).toBe(true)
    }
  })

  it("names the node each dep event resolved for: the step's own, and its successor's (resolved within the step)", async () => {
    tracing = Tracing.start()
    const slow = dep(z.number(), async function slow() {
      await sleep(2)
      return 2
    })
    const Next = node('Next', { b: dep(z.number(), () => 3).named('forNext'), c: slow, value: z.number() })
    const First = node('First', { a: dep(z.number(), () => 1).named('own') }).to(() => Next)
    await inSpan('repl.input', {}, () => graph(First)({}, { lm: createLm(new MockBackend({ fill: { Next: { value: 1 } } })) }))
    const first = tracing.timeline.spans().find((s) => s.name === 'node First')!
    expect(first.events.map((e) => [e.attributes['cortex.dep.name'], e.attributes['cortex.node.name'], typeof e.attributes['cortex.dep.duration_ms']])).toEqual(
      [
        ['own', 'First', 'number'],
        ['forNext', 'Next', 'number'],
        ['slow', 'Next', 'number']
      ]
    )
    expect(Number(first.events[2]!.attributes['cortex.dep.duration_ms'])).toBeGreaterThanOrEqual(1.5)
  })

  it('pitfall-11 creates no spans at all when tracing is off', async () => {
    Tracing.start()
    await Tracing.start().stop() // switched on, then off again
    let activeInDep: unknown = 'not reached'
    const look = dep(z.string(), async function look() {
      activeInDep = trace.getActiveSpan()
      return 'x'
    }).withSpan()
    const Only = node('Only', { seen: look })
    await inSpan('repl.input', {}, () => graph(Only)({}, { lm: lm() }))
    expect(activeInDep).toBeUndefined()
  })
})
