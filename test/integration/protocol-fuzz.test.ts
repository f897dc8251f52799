/**
 * Protocol fuzzing against a real runtime: 100,000 seeded cases in all, mutated from valid
 * runtime-contract envelopes (see protocolFuzz), half over the browser host's WebSocket (real
 * HTTP server, child runtime) and half over the child-process IPC. Every case that carries a usable id is answered on it,
 * every other bad one with an error envelope, nothing else; the runtime stays up and its memory
 * stays bounded. Replay a failure with CORTEX_FUZZ_SEED=<the printed seed>.
 */
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { DisposableStore } from '../../src/common/lifecycle'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import type { Port } from '../../src/common/protocol/port'
import { RpcClient } from '../../src/common/protocol/rpc'
import { fromWebSocket } from '../../src/common/protocol/transports/websocket'
import { runtimeContract } from '../../src/common/runtime-contract'
import { startWebHost, type WebHost } from '../../src/webhost/web-host'
import { launchRuntimeChild } from '../../src/webhost/runtime-process'
import { resultText } from '../support/ansi'
import { assertBuilt, built } from '../support/built'
import { protocolFuzz, type FuzzCase } from '../support/garbage'
import { collectMessages, expectAllProtocolErrors } from '../support/protocol'

/** Per transport: 100,000 in all. */
const CASES = 50_000
const BATCH = 1000
const SEED = Number(process.env.CORTEX_FUZZ_SEED ?? 20_261_206)
/** Growth of the runtime's resident memory allowed over the fuzz run (garbage the GC has not returned yet). */
const RSS_GROWTH_LIMIT = 150 * 1024 * 1024

const store = new DisposableStore()
beforeAll(() => assertBuilt())
afterAll(() => store.dispose())

interface FuzzTally {
  answeredOnId: number
  errorEnvelopes: number
  unansweredCancels: number
}

/**
 * Sends the cases in batches, each batch only once the previous one is answered (flow control:
 * the sender never runs ahead of the runtime), and checks every reply.
 */
async function fuzz(port: Port, sendText: (text: string) => void, cases: FuzzCase[]): Promise<FuzzTally> {
  const tally: FuzzTally = { answeredOnId: 0, errorEnvelopes: 0, unansweredCancels: 0 }
  for (let start = 0; start < cases.length; start += BATCH) {
    const batch = cases.slice(start, start + BATCH)
    const owed = batch.filter((c) => c.reply !== 'none')
    const replies = collectMessages(port, owed.length, 30_000)
    for (const c of batch) {
      if (c.text) sendText(c.value as string)
      else port.send(c.value)
    }
    const received = (await replies) as Array<{ kind: string; id?: number; ok?: boolean; error?: { name?: string; code?: unknown } }>
    // A cheap look at each reply; the full check (with its diff) only on one that is not a protocol error.
    const wrong = received.filter(
      (r) => !(r.kind === 'error' || (r.kind === 'response' && r.ok === false)) || r.error?.name !== 'ProtocolError' || typeof r.error.code !== 'string'
    )
    if (wrong.length) expectAllProtocolErrors(wrong)
    const ids = (list: Array<number | undefined>) => list.filter((id) => id !== undefined).sort((a, b) => a - b)
    expect(ids(received.filter((r) => r.kind === 'response').map((r) => r.id)), `batch at case ${start}`).toEqual(
      ids(owed.map((c) => (typeof c.reply === 'number' ? c.reply : undefined)))
    )
    tally.answeredOnId += received.filter((r) => r.kind === 'response').length
    tally.errorEnvelopes += received.filter((r) => r.kind === 'error').length
    tally.unansweredCancels += batch.length - owed.length
  }
  return tally
}

const rssOf = async (client: RpcClient<typeof runtimeContract>): Promise<number> => (await client.call('runtime.stats', {})).rssBytes

/** Fuzzes one transport: a warm-up tenth first (so the baseline RSS is a warm runtime's), then the rest. */
async function fuzzTransport(port: Port, sendText: (text: string) => void, textFrames: boolean): Promise<void> {
  const cases = protocolFuzz(CASES, SEED, { textFrames })
  const client = store.add(new RpcClient(port, runtimeContract, new MemoryLogger()))
  try {
    const warm = await fuzz(port, sendText, cases.slice(0, CASES / 10))
    const before = await rssOf(client)
    const rest = await fuzz(port, sendText, cases.slice(CASES / 10))
    const after = await rssOf(client)
    const answered = warm.answeredOnId + rest.answeredOnId
    const errors = warm.errorEnvelopes + rest.errorEnvelopes
    const cancels = warm.unansweredCancels + rest.unansweredCancels
    console.log(
      `fuzz seed ${SEED}: ${CASES} cases, ${answered} answered on their id, ${errors} error envelopes, ${cancels} cancels of unknown ids; runtime RSS ${(before / 2 ** 20).toFixed(0)} → ${(after / 2 ** 20).toFixed(0)} MiB`
    )
    expect(answered + errors + cancels).toBe(CASES)
    expect(before).toBeGreaterThan(0)
    expect(answered).toBeGreaterThan(CASES / 2) // most bad requests are answered on their own id
    expect(after - before).toBeLessThan(RSS_GROWTH_LIMIT)
    // Still up, still itself.
    expect(await client.call('runtime.ping', {})).toMatchObject({ uptimeMs: expect.any(Number) })
    expect(resultText(await client.call('repl.evaluate', { code: '1 + 1' }))).toBe('2')
  } catch (error) {
    throw new Error(`protocol fuzz failed with seed ${SEED} (replay: CORTEX_FUZZ_SEED=${SEED}): ${(error as Error).message}`, { cause: error })
  }
}

describe('protocol fuzzing against a real runtime', () => {
  let host: WebHost | undefined
  afterAll(() => host?.close())

  it('over the browser host WebSocket: every bad message with an id gets an error reply, the runtime stays up', { timeout: 300_000 }, async () => {
    host = await startWebHost({ rendererDir: built.renderer, runtimePath: built.runtime, port: 0, log: new MemoryLogger(), runtimeStderr: () => {} })
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/runtime?token=${host.token}`)
    await once(ws, 'open')
    await fuzzTransport(fromWebSocket(ws), (text) => ws.send(text), true)
  })

  it('over the child-process IPC: every bad message with an id gets an error reply, the runtime stays up', { timeout: 300_000 }, async () => {
    const child = launchRuntimeChild(built.runtime, new MemoryLogger(), () => {})
    store.add({ dispose: () => void child.process.kill('SIGKILL') })
    const mux = store.add(new PortMux(child.port, new MemoryLogger()))
    await fuzzTransport(mux.open(), () => {}, false)
    expect(child.process.exitCode).toBeNull()
  })
})
