import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../../src/common/logger'
import { RpcClient } from '../../src/common/protocol/rpc'
import { fromDomMessagePort, type DomMessagePortLike } from '../../src/common/protocol/transports/message-port'
import { runtimeContract } from '../../src/common/runtime-contract'
import { resultText } from '../support/ansi'
import { assertBuilt, built } from '../support/built'
import { until } from '../support/until'

/**
 * Electron's utilityProcess cannot run here, so this stands in for it at the edge: a worker thread
 * whose `process.parentPort` behaves like Electron's (an EventEmitter whose 'message' events are
 * `{ data, ports }`, queued until a listener exists, with MessagePortMain-shaped ports), and then
 * loads the real built runtime entry. Real MessagePorts are transferred into it.
 */
const BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads')
const { EventEmitter } = require('node:events')
const { pathToFileURL } = require('node:url')
const asPortMain = (port) => ({
  on: (event, listener) => (event === 'message' ? port.on('message', (data) => listener({ data, ports: [] })) : port.on(event, listener)),
  postMessage: (message) => port.postMessage(message),
  start: () => port.start(),
  close: () => port.close()
})
const shim = new EventEmitter()
const queued = []
parentPort.on('message', ({ data, ports }) => {
  const event = { data, ports: ports.map(asPortMain) }
  if (shim.listenerCount('message') > 0) shim.emit('message', event)
  else queued.push(event)
})
shim.on('newListener', (name) => {
  if (name === 'message') queueMicrotask(() => { while (queued.length) shim.emit('message', queued.shift()) })
})
shim.postMessage = (message) => parentPort.postMessage(message)
process.parentPort = shim
import(pathToFileURL(workerData.runtimePath).href)
`

let worker: Worker | undefined

beforeAll(() => assertBuilt())
afterEach(async () => {
  await worker?.terminate()
  worker = undefined
})

function startRuntime(): { worker: Worker; fromRuntime: unknown[] } {
  worker = new Worker(BOOTSTRAP, { eval: true, workerData: { runtimePath: built.runtime }, stderr: true, stdout: true })
  const fromRuntime: unknown[] = []
  worker.on('message', (message) => fromRuntime.push(message))
  return { worker, fromRuntime }
}

/** What Electron main does for each window: a new channel, one end to the runtime with "attach". */
function attach(target: Worker): RpcClient<typeof runtimeContract> {
  const { port1, port2 } = new MessageChannel()
  target.postMessage({ data: { kind: 'attach' }, ports: [port2] }, [port2])
  return new RpcClient(fromDomMessagePort(port1 as unknown as DomMessagePortLike), runtimeContract, new MemoryLogger())
}

describe('the runtime entry under an Electron-style parentPort', () => {
  it('serves each attached MessagePort as its own client of one namespace', async () => {
    const { worker } = startRuntime()
    const first = attach(worker)
    const second = attach(worker)
    await first.call('repl.evaluate', { code: 'const x = 20' })
    expect(resultText(await second.call('repl.evaluate', { code: 'x * 2 + 2' }))).toBe('42')
    expect(await first.call('runtime.info', {})).toMatchObject({ host: 'electron-utility' })
    first.dispose()
    second.dispose()
  })

  it('answers anything but a one-port attach with an error and keeps serving', async () => {
    const { worker, fromRuntime } = startRuntime()
    const extra = new MessageChannel()
    const garbage: Array<{ data: unknown; ports: MessagePort[] }> = [
      { data: 42, ports: [] },
      { data: { kind: 'attach' }, ports: [] },
      { data: { kind: 'detach' }, ports: [] },
      { data: { kind: 'attach' }, ports: [extra.port1, extra.port2] }
    ]
    for (const message of garbage) worker.postMessage(message, message.ports)
    await until(() => fromRuntime.length >= garbage.length)
    expect(fromRuntime).toHaveLength(garbage.length)
    for (const reply of fromRuntime) expect(reply).toMatchObject({ kind: 'error', error: { name: 'ProtocolError', code: 'invalid-message' } })
    const client = attach(worker)
    expect(resultText(await client.call('repl.evaluate', { code: '"alive"' }))).toBe("'alive'")
    client.dispose()
  })

  it('takes the assistant settings from main as a configure message, and never logs the key, not even a malformed one', async () => {
    const { worker, fromRuntime } = startRuntime()
    let log = ''
    worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk))
    const KEY = 'sk-ant-electron-0123456789'
    worker.postMessage({ data: { kind: 'configure', apiKey: KEY, model: 'claude-opus-4-6' }, ports: [] })
    worker.postMessage({ data: { kind: 'configure', apiKey: `${KEY} and spaces` }, ports: [] })
    await until(() => log.includes('rejected a malformed configure message'), 10_000, 'the malformed message to be rejected')
    expect(log).toContain('assistant settings from the host: an API key, model claude-opus-4-6')
    expect(log).not.toContain('sk-ant-electron')
    expect(fromRuntime).toEqual([]) // settings are not answered, and a bad one is no protocol error for main
    const client = attach(worker)
    expect(resultText(await client.call('repl.evaluate', { code: '"alive"' }))).toBe("'alive'")
    client.dispose()
  })
})
