import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import { RpcClient } from '../../src/common/protocol/rpc'
import { runtimeContract } from '../../src/common/runtime-contract'
import { parseTraceFile } from '../../src/common/trace/detect'
import type { SpanBatch } from '../../src/common/trace-contract'
import { launchRuntimeChild, stopRuntime, type RuntimeChild } from '../../src/webhost/runtime-process'
import { resultText } from '../support/ansi'
import { assertBuilt, built } from '../support/built'
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver'
import { until } from '../support/until'

beforeAll(() => assertBuilt())
let children: RuntimeChild[] = []
let receiver: OtlpReceiver | undefined
afterEach(async () => {
  await Promise.all(children.map((c) => stopRuntime(c.process)))
  children = []
  await receiver?.close()
  receiver = undefined
})

/** A runtime process started with `env` added to this one's environment (it reads tracing settings at start). */
function launch(env: Record<string, string> = {}) {
  const saved = { ...process.env }
  Object.assign(process.env, env)
  const child = launchRuntimeChild(built.runtime, new MemoryLogger(), () => {})
  process.env = saved
  children.push(child)
  const mux = new PortMux(child.port, new MemoryLogger())
  const client = new RpcClient(mux.open(), runtimeContract, new MemoryLogger())
  const batches: Array<SpanBatch & { at: number }> = []
  client.subscribe('trace.spans', (batch) => batches.push({ ...batch, at: Date.now() }))
  const run = async (code: string) => resultText(await client.call('repl.evaluate', { code }))
  return { client, batches, run }
}

describe('tracing in the real runtime', () => {
  it('streams a run live (its open spans first), keeps it for a window that connects later, and exports it', async () => {
    const { run, batches, client } = launch()
    await run(`%load ${resolve('examples/ootd/index.ts')}`)
    // A slow LM (200 ms a call) so the run is visibly in progress.
    await run(
      'const slow = { provider: "replay", model: "slow", generate: async (r) => { await new Promise((ok) => setTimeout(ok, 200)); return recordedBackend.generate(r) } }'
    )
    await run(`const recordedBackend = ReplayBackend.fromFile(${JSON.stringify(resolve('examples/ootd/recording.jsonl'))})`)
    await run('var outfit = ootd({ name: "Dzara", user_message: "ugh i just got up" }, { lm: createLm(slow) })')
    await until(() => batches.some((b) => b.started.some((s) => s.name === 'invoke_workflow IsTheUserGettingDressed')), 5000, 'the run to start')
    // In progress (waiting at its gate): the run's span is open (no end), and has not ended yet.
    const openRun = batches.flatMap((b) => b.started).find((s) => s.name === 'invoke_workflow IsTheUserGettingDressed')!
    expect(openRun.endTime).toBeUndefined()
    expect(openRun.attributes['cortex.run.id']).toBe('g1')
    expect(batches.flatMap((b) => b.ended).some((s) => s.spanId === openRun.spanId)).toBe(false)
    const snapshotWhileRunning = await client.call('trace.snapshot', {})
    expect(snapshotWhileRunning.spans.find((s) => s.spanId === openRun.spanId)?.endTime).toBeUndefined()

    expect(await run('@g1.0 ugh i just got up')).toBe('g1.0 answered')
    expect(await run('(await outfit).trace.length')).toBe('3')
    await until(() => batches.some((b) => b.ended.some((s) => s.spanId === openRun.spanId)), 5000, 'the run to end')
    const ended = batches.flatMap((b) => b.ended)
    const chats = ended.filter((s) => s.name === 'chat slow')
    expect(chats.length).toBeGreaterThanOrEqual(5)
    expect(chats.every((s) => s.traceId === openRun.traceId && s.attributes['gen_ai.provider.name'] === 'replay')).toBe(true)
    // Batched: far fewer messages than spans.
    expect(batches.length).toBeLessThan(ended.length)

    // A window that connects now draws the same spans from the snapshot.
    const snapshot = await client.call('trace.snapshot', {})
    expect(snapshot.enabled).toBe(true)
    expect(snapshot.spans.filter((s) => s.traceId === openRun.traceId).every((s) => s.endTime !== undefined)).toBe(true)

    // Export the run by its id, with the magic; the file reads back.
    const dir = mkdtempSync(join(tmpdir(), 'cortex-export-'))
    expect(await run(`%trace export ${join(dir, 'g1.jsonl')} g1`)).toMatch(/^exported \d+ spans to .*g1\.jsonl$/)
    const file = parseTraceFile(readFileSync(join(dir, 'g1.jsonl'), 'utf8'), 'g1.jsonl')
    expect(file.spans[0]!.traceId).toBe(openRun.traceId)
    expect(file.spans.some((s) => s.name === 'repl.input')).toBe(false) // the run's subtree only
    const viaRpc = await client.call('trace.export', { format: 'otlp-json', spanIds: [openRun.spanId] })
    expect(parseTraceFile(viaRpc.text).spans).toHaveLength(file.spans.length)
    expect(await run('%trace export nowhere.jsonl g9')).toMatch(/no graph run g9/)
  })

  it('creates no spans with CORTEX_TRACING=off, and %trace on switches it on', async () => {
    const { run, batches, client } = launch({ CORTEX_TRACING: 'off' })
    expect(await run('await Promise.resolve(1)')).toBe('1')
    expect(await run('%trace')).toMatch(/^tracing off: 0 spans in 0 traces/)
    expect((await client.call('trace.snapshot', {})).spans).toEqual([])
    expect(await run('%trace on')).toBe('tracing on')
    await run('await Promise.resolve(2)')
    await until(() => batches.length > 0, 5000, 'a batch')
    expect(batches.flatMap((b) => b.ended).map((s) => s.name)).toContain('repl.input')
  })

  it('sends a sampled copy to the collector of OTEL_EXPORTER_OTLP_ENDPOINT; %trace sample all sends everything', async () => {
    receiver = await startOtlpReceiver()
    const { run } = launch({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace(/\/v1\/traces$/, ''), OTEL_TRACES_SAMPLER_ARG: '0' })
    expect(await run('%trace')).toContain(`collector ${receiver.url}: 0 % of traces sent, LM content left out`)
    await run('1 + 1')
    expect(await run('%trace sample all')).toBe('the collector gets 100 % of traces')
    await run('"sent"')
    await until(() => receiver!.spans.length > 0, 5000, 'the collector to receive spans') // the exporter sends at least every second
    expect(receiver.spans.map((s) => s.name)).toEqual(['repl.input'])
    expect(receiver.spans[0]!.attributes['cortex.input']).toBeUndefined() // content is left out by default
    expect(receiver.spans[0]!.resource['service.name']).toBe('cortex')
  })
})
