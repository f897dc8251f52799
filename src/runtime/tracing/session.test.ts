import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ootd } from '../../../examples/ootd'
import { OOTD_INPUTS, RECORDING } from '../../../examples/ootd/regenerate'
import { parseTraceFile } from '../../common/trace/detect'
import { SpanBatch, type SpanBatchInput, type SpanDto } from '../../common/trace-contract'
import { z } from 'zod'
import { graph, node } from '../graph'
import { createLm, ReplayBackend } from '../lm'
import { MockBackend } from '../lm/mock'
import { secretValues } from './sdk'
import { select, TraceSession } from './session'
import { inSpan } from './tracer'

let dir: string
let session: TraceSession
/** The feed as sent, and as a window reads it (SpanBatch unpacks the ended spans). */
const batches: SpanBatchInput[] = []
const received = (): SpanBatch[] => batches.map((batch) => SpanBatch.parse(batch))
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cortex-traces-'))
  batches.length = 0
  session = new TraceSession({ enabled: true, onBatch: (batch) => batches.push(batch) })
})
afterEach(async () => {
  await session.shutdown()
  await rm(dir, { recursive: true, force: true })
})

const byId = (spans: readonly SpanDto[]) => [...spans].sort((a, b) => a.spanId.localeCompare(b.spanId))

describe('trace files', () => {
  it.each(['otlp-jsonl', 'otlp-json'] as const)('round-trip without loss (%s)', async (format) => {
    await inSpan('repl.input', { 'cortex.eval.id': 1 }, () => ootd(OOTD_INPUTS, { lm: createLm(ReplayBackend.fromFile(RECORDING)) }))
    const recorded = session.spans()
    expect(recorded.length).toBeGreaterThan(5)
    const { text, spans } = session.exportFile(format)
    expect(spans).toBe(recorded.length)
    const parsed = parseTraceFile(text, format === 'otlp-jsonl' ? 'run.jsonl' : 'run.json')
    expect(parsed.format).toBe(format)
    expect(byId(parsed.spans)).toEqual(byId(recorded))
    if (format === 'otlp-jsonl') expect(text.trim().split('\n')).toHaveLength(1) // one TracesData per line: one trace here
  })

  it('drive the replay backend: record a run, export it, replay it offline with identical results', async () => {
    const recordedRun = await inSpan('repl.input', {}, () => ootd(OOTD_INPUTS, { lm: createLm(ReplayBackend.fromFile(RECORDING)) }))
    const file = join(dir, 'ootd.jsonl')
    await writeFile(file, session.exportFile('otlp-jsonl').text)
    await session.stop() // the replay below is not traced: the file alone drives it
    const replayed = await ootd(OOTD_INPUTS, { lm: createLm(ReplayBackend.fromTrace(file)) })
    expect(replayed.trace).toEqual(recordedRun.trace)
    expect(replayed.result).toEqual(recordedRun.result)
  })

  it('drive a replay even when a secret in a prompt was redacted in the file', async () => {
    const Done = node('Done', { answer: z.string() })
    const Login = node('Login', { note: z.string() }).to(() => Done)
    const login = graph(Login)
    const live = new MockBackend({ fill: { Done: { answer: 'signed in' } } })
    const inputs = { note: 'the password: hunter2 is on file' }
    const recordedRun = await inSpan('repl.input', {}, () => login(inputs, { lm: createLm(live) }))
    const file = join(dir, 'login.jsonl')
    const { text } = session.exportFile('otlp-jsonl')
    expect(text).not.toContain('hunter2')
    await writeFile(file, text)
    await session.stop()
    const replayed = await login(inputs, { lm: createLm(ReplayBackend.fromTrace(file)) })
    expect(replayed.result).toEqual(recordedRun.result)
  })

  it('refuse to replay a trace exported without LM content, saying why', async () => {
    await inSpan('repl.input', {}, () => ootd(OOTD_INPUTS, { lm: createLm(ReplayBackend.fromFile(RECORDING)) }))
    const stripped = session.spans().map((span) => {
      const { ['gen_ai.output.messages']: _dropped, ...attributes } = span.attributes
      return { ...span, attributes }
    })
    expect(() => ReplayBackend.fromTrace(stripped)).toThrow(/LM calls but not their content/)
  })

  it('never contain API keys, Authorization headers or values of secret-named variables (windows never get those values)', async () => {
    const env = { SERVICE_TOKEN: 'plain-looking-value-42', HOME: '/home/dzara' }
    const namespace = { myApiKey: 'another-plain-value-7' }
    await session.shutdown()
    session = new TraceSession({ enabled: true, onBatch: (batch) => batches.push(batch), secrets: () => secretValues(env, namespace) })
    await inSpan(
      'chat claude',
      {
        'gen_ai.input.messages': JSON.stringify([
          {
            role: 'user',
            parts: [{ type: 'text', content: 'call with plain-looking-value-42 and another-plain-value-7, key sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA' }]
          }
        ]),
        'http.request.header.authorization': 'Basic ZHphcmE6aHVudGVyMg==',
        'http.request.header.x-api-key': 'abc123abc123',
        'user.home': '/home/dzara'
      },
      async () => {}
    )
    await session.flush()
    // Windows are local and get spans as they are, except that the values of secret-named
    // variables (the API key in the environment) never reach a renderer.
    const toWindow = JSON.stringify([batches, received(), session.snapshot(100)])
    expect(received().flatMap((batch) => batch.ended.map((span) => span.name))).toEqual(['chat claude'])
    for (const secret of ['plain-looking-value-42', 'another-plain-value-7']) expect(toWindow).not.toContain(secret)
    for (const format of ['otlp-jsonl', 'otlp-json'] as const) {
      const { text } = session.exportFile(format)
      for (const secret of ['plain-looking-value-42', 'another-plain-value-7', 'sk-ant-api03', 'ZHphcmE6aHVudGVyMg', 'abc123abc123'])
        expect(text).not.toContain(secret)
      expect(text).toContain('/home/dzara') // not a secret: kept
      expect(text).toContain('[REDACTED]')
    }
  })

  it('export one run (a span subtree), a selection of traces, or the whole session', async () => {
    await Promise.all(
      [1, 2].map((n) =>
        inSpan('repl.input', { 'cortex.eval.id': n }, () =>
          ootd(OOTD_INPUTS, { lm: createLm(ReplayBackend.fromFile(RECORDING)), spanAttributes: { 'cortex.run.id': `g${n}` } })
        )
      )
    )
    const all = session.spans()
    const run2 = all.find((s) => s.attributes['cortex.run.id'] === 'g2')!
    const subtree = select(all, { spanIds: [run2.spanId] })
    expect(subtree.every((s) => s.traceId === run2.traceId && s.name !== 'repl.input')).toBe(true)
    expect(subtree).toHaveLength(all.filter((s) => s.traceId === run2.traceId).length - 1)
    expect(select(all, { traceIds: [run2.traceId] })).toHaveLength(subtree.length + 1)
    expect(select(all, {})).toHaveLength(all.length)
    expect(parseTraceFile(session.exportFile('otlp-jsonl', { spanIds: [run2.spanId] }).text).spans).toHaveLength(subtree.length)
  })
})

describe('the live feed', () => {
  it('streams span starts while a run is in progress and their ends after', async () => {
    let openWhileRunning: string[] = []
    await inSpan('repl.input', {}, async () => {
      await new Promise((resolve) => setTimeout(resolve, 80)) // one batch goes out meanwhile
      openWhileRunning = received().flatMap((b) => b.started.map((s) => s.name))
    })
    await session.flush()
    expect(openWhileRunning).toEqual(['repl.input'])
    expect(
      received()
        .flatMap((b) => b.started)
        .every((s) => s.endTime === undefined)
    ).toBe(true)
    const ended = received().flatMap((b) => b.ended)
    expect(ended.map((s) => s.name)).toEqual(['repl.input'])
    expect(ended[0]!.endTime).toBeDefined()
  })

  it('sends a span that starts and ends within one batch once, as ended', async () => {
    await inSpan('quick', {}, async () => {})
    await session.flush()
    expect(batches).toHaveLength(1)
    expect(received()[0]!.started).toEqual([])
    expect(received()[0]!.ended.map((s) => s.name)).toEqual(['quick'])
  })

  it('keeps what was recorded when tracing is switched off, and records nothing more', async () => {
    await inSpan('before', {}, async () => {})
    await session.stop()
    await inSpan('after', {}, async () => {})
    expect(session.spans().map((s) => s.name)).toEqual(['before'])
    session.start()
    await inSpan('again', {}, async () => {})
    expect(session.spans().map((s) => s.name)).toEqual(['before', 'again'])
  })
})
