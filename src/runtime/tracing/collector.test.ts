import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver'
import { collectorFromEnv, Tracing, traceSampled } from './sdk'
import { ATTR, inSpan } from './tracer'

let receiver: OtlpReceiver
let tracing: Tracing | undefined
beforeEach(async () => {
  receiver = await startOtlpReceiver()
})
afterEach(async () => {
  await tracing?.stop()
  tracing = undefined
  await receiver.close()
})

/** One "LM call" trace with a secret and content in it. */
function lmCall(n: number): Promise<void> {
  return inSpan('repl.input', { [ATTR.input]: `ask(${n})` }, () =>
    inSpan(
      'chat claude',
      {
        [ATTR.operation]: 'chat',
        [ATTR.inputMessages]: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'what should I wear?' }] }]),
        'anthropic.api_key': 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz',
        'http.request.header.authorization': 'Bearer abc.def.ghi'
      },
      async () => {}
    )
  )
}

describe('OTLP HTTP export to a collector', () => {
  it('sends finished spans, redacted and without LM content, with the configured headers', async () => {
    tracing = Tracing.start({ collector: { url: receiver.url, headers: { 'x-team': 'cortex' }, ratio: 1, captureContent: false } })
    await lmCall(1)
    await tracing.flush()
    expect(receiver.spans.map((s) => s.name).sort()).toEqual(['chat claude', 'repl.input'])
    expect(receiver.headers[0]!['x-team']).toBe('cortex')
    const chat = receiver.spans.find((s) => s.name === 'chat claude')!
    const input = receiver.spans.find((s) => s.name === 'repl.input')!
    expect(chat.parentSpanId).toBe(input.spanId)
    expect(chat.attributes['anthropic.api_key']).toBe('[REDACTED]')
    expect(chat.attributes['http.request.header.authorization']).toBe('[REDACTED]')
    expect(chat.attributes[ATTR.inputMessages]).toBeUndefined()
    expect(input.attributes[ATTR.input]).toBeUndefined()
    expect(chat.attributes[ATTR.operation]).toBe('chat')
    expect(JSON.stringify(receiver.spans)).not.toContain('sk-ant')
    // The timeline kept everything (it is local).
    expect(tracing.timeline.spans().find((s) => s.name === 'chat claude')!.attributes[ATTR.inputMessages]).toContain('what should I wear?')
  })

  it('sends LM content when asked to', async () => {
    tracing = Tracing.start({ collector: { url: receiver.url, ratio: 1, captureContent: true } })
    await lmCall(1)
    await tracing.flush()
    expect(receiver.spans.find((s) => s.name === 'chat claude')!.attributes[ATTR.inputMessages]).toContain('what should I wear?')
  })

  it('samples whole traces at the configured ratio; the timeline records them all', async () => {
    tracing = Tracing.start({ collector: { url: receiver.url, ratio: 0.25, captureContent: false } })
    for (let n = 0; n < 200; n++) await lmCall(n)
    await tracing.flush()
    const sent = new Set(receiver.spans.map((s) => s.traceId))
    expect(sent.size).toBeGreaterThan(20)
    expect(sent.size).toBeLessThan(80)
    // Every span of a sampled trace is sent: no trace arrives without its root.
    for (const traceId of sent) expect(receiver.spans.filter((s) => s.traceId === traceId)).toHaveLength(2)
    expect(new Set(tracing.timeline.spans().map((s) => s.traceId)).size).toBe(200)
  })

  it('sends everything after "sample all" (one call while debugging)', async () => {
    tracing = Tracing.start({ collector: { url: receiver.url, ratio: 0, captureContent: false } })
    await lmCall(1)
    tracing.collector!.ratio = 1
    await lmCall(2)
    await tracing.flush()
    expect(receiver.spans.map((s) => s.attributes[ATTR.input] ?? s.name)).toEqual(['chat claude', 'repl.input'])
  })
})

describe('collectorFromEnv', () => {
  it('reads the standard OpenTelemetry variables', () => {
    expect(collectorFromEnv({})).toBeUndefined()
    expect(
      collectorFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D,team = cortex',
        OTEL_TRACES_SAMPLER_ARG: '0.5',
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true'
      })
    ).toEqual({ url: 'http://localhost:4318/v1/traces', headers: { 'x-api-key': 'abc=', team: 'cortex' }, ratio: 0.5, captureContent: true })
    expect(collectorFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/traces', OTEL_TRACES_SAMPLER_ARG: 'lots' })).toMatchObject({
      url: 'http://c:4318/traces',
      ratio: 0.1,
      captureContent: false
    })
  })

  it('decides per trace id, the same way every time', () => {
    expect(traceSampled('0'.repeat(32), 0.01)).toBe(true)
    expect(traceSampled('f'.repeat(32), 0.99)).toBe(false)
    expect(traceSampled('f'.repeat(32), 1)).toBe(true)
    expect(traceSampled('0'.repeat(32), 0)).toBe(false)
  })
})
