import { once } from 'node:events'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DisposableStore } from '../../src/common/lifecycle'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import { RpcClient } from '../../src/common/protocol/rpc'
import { runtimeContract } from '../../src/common/runtime-contract'
import { launchRuntimeChild, type RuntimeChild } from '../../src/webhost/runtime-process'
import { stripAnsi } from '../support/ansi'
import { assertBuilt, built } from '../support/built'
import { fakeReply, startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic'
import { collectOutput } from '../support/output'
import { until } from '../support/until'

const KEY = 'sk-ant-integration-0123456789'
let store = new DisposableStore()
let child: RuntimeChild | undefined
let api: FakeAnthropic | undefined

beforeAll(() => assertBuilt())
afterEach(async () => {
  store.dispose()
  store = new DisposableStore()
  if (child && child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGKILL')
    await once(child.process, 'exit')
  }
  await api?.close()
})

/** The built runtime as a child process, with ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL pointing at the fake API. */
async function launchWithFakeApi() {
  api = await startFakeAnthropic({ apiKey: KEY })
  const saved = { key: process.env['ANTHROPIC_API_KEY'], url: process.env['ANTHROPIC_BASE_URL'] }
  process.env['ANTHROPIC_API_KEY'] = KEY
  process.env['ANTHROPIC_BASE_URL'] = api.url
  try {
    child = launchRuntimeChild(built.runtime, new MemoryLogger(), () => undefined)
  } finally {
    for (const [name, value] of [
      ['ANTHROPIC_API_KEY', saved.key],
      ['ANTHROPIC_BASE_URL', saved.url]
    ] as const)
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
  }
  const mux = store.add(new PortMux(child.port, new MemoryLogger()))
  const client = store.add(new RpcClient(mux.open(), runtimeContract, new MemoryLogger()))
  return { api, client, output: collectOutput(client) }
}

describe('the assistant in the runtime process', () => {
  it('answers an NL input from the environment key, streams on the ai channel with a tool line, and Ctrl+C closes the stream', async () => {
    const { api, client, output } = await launchWithFakeApi()
    await client.call('repl.evaluate', { code: 'var scores = [3, 5, 8]', mode: 'js' })
    api.reply(fakeReply.toolUse('evaluate', { expression: 'scores.length' }), fakeReply.text('There are **3** scores.'))
    const result = await client.call('repl.evaluate', { code: 'how many scores?', mode: 'nl' })
    expect(result).toMatchObject({ ok: true, text: '' })
    await until(() => output.text().includes('tool call'), 5000, 'the context line')
    const ai = stripAnsi(
      output.writes
        .filter((w) => w.channel === 'ai')
        .map((w) => w.text)
        .join('')
    )
    expect(ai).toContain('◆ evaluate(scores.length) → 3\n')
    expect(ai).toContain('There are 3 scores.\n') // Markdown rendered: the ** became bold
    expect(ai).toMatch(/\[ai:1 · context [\d,]+ tokens of 200,000 · 1 tool call · [\d.]+ s\]/)
    expect(api.requests[0]!.body.messages[0].content).toContain('scores (Array)')

    api.reply(fakeReply.hang({ headers: true }))
    const controller = new AbortController()
    const pending = client.call('repl.evaluate', { code: 'and now slowly?', mode: 'nl' }, { signal: controller.signal, awaitAnswerOnCancel: true })
    await api.waitForRequest(2)
    controller.abort()
    expect(await pending).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(await api.requests[2]!.outcome).toBe('client-closed')
    expect(JSON.stringify(output.writes)).not.toContain(KEY)
  })
})
