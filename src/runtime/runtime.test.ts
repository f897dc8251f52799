import { EventEmitter } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { garbageMessages } from '../../test/support/garbage'
import { expectGarbageAnswered } from '../../test/support/protocol'
import { DisposableStore } from '../common/lifecycle'
import { MemoryLogger } from '../common/logger'
import { createPortPair } from '../common/protocol/memory-port'
import type { Port } from '../common/protocol/port'
import { RpcClient } from '../common/protocol/rpc'
import { fromDomMessagePort, fromElectronPort, type DomMessagePortLike, type ElectronPortLike } from '../common/protocol/transports/message-port'
import { runtimeContract, type EvalResult } from '../common/runtime-contract'
import { collectOutput } from '../../test/support/output'
import { Runtime } from './runtime'
import { ENTRIES_FILE, STORE_DIR } from './store/entry'
import { resultText, stripAnsi } from '../../test/support/ansi'

let store = new DisposableStore()
afterEach(() => {
  store.dispose()
  store = new DisposableStore()
})

/**
 * Electron's MessagePortMain, as far as the adapter sees it: an EventEmitter whose 'message'
 * listeners get `{ data, ports }`. Backed by a real worker_threads channel (the edge we stand in for).
 */
function electronShaped(port: MessagePort): ElectronPortLike {
  const emitter = new EventEmitter()
  port.on('message', (data: unknown) => emitter.emit('message', { data, ports: [] }))
  port.on('close', () => emitter.emit('close'))
  return {
    postMessage: (message) => port.postMessage(message),
    on: (event: string, listener: (...args: unknown[]) => void) => emitter.on(event, listener),
    start: () => port.start(),
    close: () => port.close()
  } as ElectronPortLike
}

/** The three ways a client reaches an in-process runtime: memory pair, DOM-style and Electron-style MessagePorts. */
const transports: Record<string, () => [client: Port, server: Port]> = {
  'in-memory port pair': () => createPortPair(),
  'MessagePort (DOM / renderer shape)': () => {
    const { port1, port2 } = new MessageChannel()
    // Node's MessagePort is an EventTarget delivering MessageEvents, like the browser's; only its typings differ.
    const dom = (port: MessagePort) => port as unknown as DomMessagePortLike
    return [fromDomMessagePort(dom(port1)), fromDomMessagePort(dom(port2))]
  },
  'MessagePortMain (Electron shape)': () => {
    const { port1, port2 } = new MessageChannel()
    return [fromElectronPort(electronShaped(port1)), fromElectronPort(electronShaped(port2))]
  }
}

function startRuntime(serverPort: Port) {
  const log = new MemoryLogger()
  const runtime = store.add(new Runtime({ host: 'in-process', log }))
  runtime.connect(serverPort)
  return { runtime, log }
}

describe.each(Object.entries(transports))('Runtime over %s', (_name, createPorts) => {
  it('evaluates lines in one persistent namespace and streams output as events', async () => {
    const [clientPort, serverPort] = createPorts()
    startRuntime(serverPort)
    const client = store.add(new RpcClient(clientPort, runtimeContract, new MemoryLogger()))
    const output = collectOutput(client)
    const results: EvalResult[] = []
    client.subscribe('repl.result', (result) => results.push(result))

    await client.call('repl.evaluate', { code: 'const x = 20' })
    const answer = await client.call('repl.evaluate', { code: 'console.log("thinking"); x * 2 + 2' })
    expect(resultText(answer)).toBe('42')
    // The output arrived before the result it belongs to.
    expect(output.writes.map((w) => [w.evalId, stripAnsi(w.text)])).toEqual([[answer.evalId, 'thinking\n']])
    // Its own results come as answers, not again as events.
    expect(results).toEqual([])
  })

  it('answers garbage with structured errors and keeps serving', async () => {
    const [clientPort, serverPort] = createPorts()
    const { log } = startRuntime(serverPort)
    await expectGarbageAnswered(clientPort, garbageMessages(200, 11))
    expect(log.records.filter((r) => r.message.startsWith('protocol: rejected message'))).toHaveLength(200)
    const client = store.add(new RpcClient(clientPort, runtimeContract, new MemoryLogger()))
    expect(resultText(await client.call('repl.evaluate', { code: '6 * 7' }))).toBe('42')
  })
})

/** A fresh in-process runtime and a client connected to it over an in-memory port pair. */
function connectedClient(): RpcClient<typeof runtimeContract> {
  const [clientPort, serverPort] = createPortPair()
  const { log } = startRuntime(serverPort)
  return store.add(new RpcClient(clientPort, runtimeContract, log))
}

describe('Runtime', () => {
  it('gives every client the prompt history: inputs oldest first, each once (this session’s, without a store)', async () => {
    const client = connectedClient()
    for (const code of ['var h = 1', 'h + 1', 'var h = 1', 'function g() {\n  return h\n}']) await client.call('repl.evaluate', { code })
    expect(await client.call('repl.history', {})).toEqual(['h + 1', 'var h = 1', 'function g() {\n  return h\n}'])
    expect(await client.call('repl.history', { limit: 1 })).toEqual(['function g() {\n  return h\n}'])
  })

  it('never gives a window a secret in the history: the value of a secret-named binding is redacted', async () => {
    const client = connectedClient()
    await client.call('repl.evaluate', { code: "var SERVICE_TOKEN = 'tok-4f9a2c7e1b'" })
    await client.call('repl.evaluate', { code: "fetchIt('tok-4f9a2c7e1b')" })
    const history = await client.call('repl.history', {})
    expect(history.join('\n')).not.toContain('tok-4f9a2c7e1b')
    expect(history).toContain("fetchIt('[REDACTED]')")
  })

  it('finds a secret in a non-enumerable binding too (all names are looked at once a second)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const client = connectedClient()
      await client.call('repl.evaluate', { code: "Object.defineProperty(globalThis, 'hiddenToken', { value: 'hid-5e8a1c3d9f', enumerable: false })" })
      vi.setSystemTime(Date.now() + 1500)
      await client.call('repl.evaluate', { code: "fetchIt('hid-5e8a1c3d9f')" })
      expect(await client.call('repl.history', {})).toContain("fetchIt('[REDACTED]')")
    } finally {
      vi.useRealTimers()
    }
  })

  it('never gives a window a secret of the environment in the history', async () => {
    process.env['CORTEX_TEST_API_KEY'] = 'env-7d3b9e1f05'
    try {
      const client = connectedClient()
      await client.call('repl.evaluate', { code: '1 + 1' })
      await client.call('repl.evaluate', { code: "fetchIt('env-7d3b9e1f05')" })
      expect(await client.call('repl.history', {})).toEqual(['1 + 1', "fetchIt('[REDACTED]')"])
    } finally {
      delete process.env['CORTEX_TEST_API_KEY']
    }
  })

  it('journals an input before it runs, even one that runs synchronously (an input that kills the runtime is still in the store)', async () => {
    const projectDir = mkdtempSync(join(tmpdir(), 'cortex-journal-'))
    store.add({ dispose: () => rmSync(projectDir, { recursive: true, force: true }) })
    const log = new MemoryLogger()
    const runtime = store.add(new Runtime({ host: 'in-process', log, projectDir }))
    const [clientPort, serverPort] = createPortPair()
    runtime.connect(serverPort)
    const client = store.add(new RpcClient(clientPort, runtimeContract, log))
    const entries = JSON.stringify(join(projectDir, STORE_DIR, ENTRIES_FILE))
    await client.call('repl.evaluate', { code: "var fs = await import('node:fs')" })
    // The input reads the store as it runs: the comment is found only if the input is there already.
    const check = `/* journaled-7f3c */ fs.readFileSync(${entries}, 'utf8').includes('journaled-' + '7f3c')`
    expect(resultText(await client.call('repl.evaluate', { code: check }))).toBe('true')
    // Each input's outcome follows it (in the same turn of the event loop as the answer).
    await client.call('repl.evaluate', { code: "throw new Error('no')" })
    await new Promise((resolve) => setImmediate(resolve))
    const lines = readFileSync(join(projectDir, STORE_DIR, ENTRIES_FILE), 'utf8')
      .trim()
      .split('\n')
    const stored = lines.map((line) => JSON.parse(line) as { seq: number; kind: string; text: string; of?: number; ok?: boolean })
    const outcomes = stored.filter((entry) => entry.of !== undefined).map(({ of, ok }) => [stored.find((e) => e.seq === of)?.text, ok])
    expect(outcomes).toEqual([
      ["var fs = await import('node:fs')", true],
      [check, true],
      ["throw new Error('no')", false]
    ])
  })

  it('records what happens while the session store opens, once each and in order', async () => {
    const projectDir = mkdtempSync(join(tmpdir(), 'cortex-early-'))
    store.add({ dispose: () => rmSync(projectDir, { recursive: true, force: true }) })
    const runtime = store.add(new Runtime({ host: 'in-process', log: new MemoryLogger(), projectDir }))
    // At once, before the store (opened in the background) is open.
    const first = await runtime.evaluate('js', "console.log('early output'); 1 + 1")
    const second = await runtime.evaluate('js', '2 * 3')
    expect([first.ok, second.ok]).toEqual([true, true])
    await runtime.shutdown()
    const stored = readFileSync(join(projectDir, STORE_DIR, ENTRIES_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { seq: number; kind: string; text: string; of?: number; ok?: boolean })
    const texts = (kind: string) => stored.filter((entry) => entry.kind === kind && entry.of === undefined).map((entry) => stripAnsi(entry.text).trim())
    expect(texts('input')).toEqual(["console.log('early output'); 1 + 1", '2 * 3'])
    expect(texts('output')).toEqual(['early output'])
    // Each outcome names its input (an outcome is stored a tick after its answer: it may follow the next input).
    const outcomes = stored.filter((entry) => entry.of !== undefined).map(({ of, ok }) => [stored.find((e) => e.seq === of)?.text, ok])
    expect(outcomes).toEqual([
      ["console.log('early output'); 1 + 1", true],
      ['2 * 3', true]
    ])
    expect(stored.findIndex((entry) => entry.kind === 'output')).toBe(1) // right after its input
  })

  it('a shutdown right after an input, while a big store is still opening, still records it and closes the store', async () => {
    const projectDir = mkdtempSync(join(tmpdir(), 'cortex-slow-store-'))
    store.add({ dispose: () => rmSync(projectDir, { recursive: true, force: true }) })
    // 150,000 entries of an earlier session: the store takes a while to read them when it opens.
    const old = Array.from(
      { length: 150_000 },
      (_, i) => `{"v":1,"id":"old.${i + 1}","session":"old","seq":${i + 1},"time":${1_700_000_000_000 + i},"kind":"input","mode":"js","text":"x${i}"}`
    )
    mkdirSync(join(projectDir, STORE_DIR), { recursive: true })
    writeFileSync(join(projectDir, STORE_DIR, ENTRIES_FILE), `${old.join('\n')}\n`)
    const runtime = new Runtime({ host: 'in-process', log: new MemoryLogger(), projectDir })
    const result = await runtime.evaluate('js', "console.log('said early'); 40 + 2")
    expect(resultText(result)).toBe('42')
    const started = Date.now()
    await runtime.shutdown()
    expect(Date.now() - started).toBeLessThan(5000)
    const ours = readFileSync(join(projectDir, STORE_DIR, ENTRIES_FILE), 'utf8')
      .trim()
      .split('\n')
      .slice(old.length)
      .map((line) => JSON.parse(line) as { kind: string; text: string; ok?: boolean })
    expect(ours.map(({ kind, text, ok }) => [kind, stripAnsi(text).trim(), ok])).toEqual([
      ['input', "console.log('said early'); 40 + 2", undefined],
      ['output', 'said early', undefined],
      ['event', `e${result.evalId} ok`, true]
    ])
  })

  it("a caller's cancel ends an evaluation that awaits a promise that never settles, and the namespace goes on", async () => {
    const client = connectedClient()
    const controller = new AbortController()
    const pending = client.call('repl.evaluate', { code: 'await new Promise(() => {})' }, { signal: controller.signal, awaitAnswerOnCancel: true })
    await new Promise((r) => setTimeout(r, 20))
    controller.abort()
    expect(await pending).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(await client.call('tasks.list', {})).toContainEqual(expect.objectContaining({ kind: 'eval', state: 'cancelled' }))
    expect(resultText(await client.call('repl.evaluate', { code: '6 * 7' }))).toBe('42')
  })

  it('shares one namespace between clients; each sees the others’ results as events', async () => {
    const log = new MemoryLogger()
    const runtime = store.add(new Runtime({ host: 'in-process', log }))
    const clients = [0, 1].map(() => {
      const [clientPort, serverPort] = createPortPair()
      runtime.connect(serverPort)
      return store.add(new RpcClient(clientPort, runtimeContract, log))
    })
    const seenBySecond: string[] = []
    clients[1]!.subscribe('repl.result', (result) => seenBySecond.push(resultText(result)))
    await clients[0]!.call('repl.evaluate', { code: 'var shared = "from the first window"' })
    expect(resultText(await clients[1]!.call('repl.evaluate', { code: 'shared' }))).toBe("'from the first window'")
    expect(seenBySecond).toEqual(['undefined']) // the first window's input; its own answer came directly
  })

  it('forgets a client whose connection closed', async () => {
    const runtime = store.add(new Runtime({ host: 'in-process', log: new MemoryLogger() }))
    const [clientPort, serverPort] = createPortPair()
    runtime.connect(serverPort)
    expect(runtime.clientCount).toBe(1)
    clientPort.close()
    await new Promise((r) => setTimeout(r, 5))
    expect(runtime.clientCount).toBe(0)
  })

  it('reports where it runs', async () => {
    const [clientPort, serverPort] = createPortPair()
    startRuntime(serverPort)
    const client = store.add(new RpcClient(clientPort, runtimeContract, new MemoryLogger()))
    expect(await client.call('runtime.info', {})).toMatchObject({ pid: process.pid, host: 'in-process', nodeVersion: process.version })
  })
})
