import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DisposableStore } from '../../src/common/lifecycle'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import { RpcClient } from '../../src/common/protocol/rpc'
import { runtimeContract } from '../../src/common/runtime-contract'
import { collectOutput } from '../support/output'
import { launchRuntimeChild, type RuntimeChild } from '../../src/webhost/runtime-process'
import { assertBuilt, built } from '../support/built'
import { garbageMessages } from '../support/garbage'
import { collectMessages, expectAllProtocolErrors, expectGarbageAnswered } from '../support/protocol'
import { stripAnsi } from '../support/ansi'
import { isGone } from '../support/process'

let store = new DisposableStore()
const children: RuntimeChild[] = []

beforeAll(() => assertBuilt())
afterEach(async () => {
  store.dispose()
  store = new DisposableStore()
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL')
      await once(child.process, 'exit')
    }
  }
})

function launch() {
  const log = new MemoryLogger()
  const stderr: string[] = []
  const child = launchRuntimeChild(built.runtime, log, (line) => stderr.push(line))
  children.push(child)
  let stdout = ''
  child.process.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  const mux = store.add(new PortMux(child.port, log))
  return { child, mux, log, stderr, stdout: () => stdout }
}

describe('the runtime as a Node child process (real IPC)', () => {
  it('evaluates in a persistent namespace; console.log arrives as an event, not on stdout', async () => {
    const { mux, stdout } = launch()
    const client = store.add(new RpcClient(mux.open(), runtimeContract, new MemoryLogger()))
    const output = collectOutput(client)

    await client.call('repl.evaluate', { code: 'const x = 20' })
    const result = await client.call('repl.evaluate', { code: 'console.log("side effect"); x * 2 + 2' })
    expect(result).toMatchObject({ ok: true })
    expect(result.ok && stripAnsi(result.text)).toBe('42')
    expect(output.text()).toBe('side effect\n')
    expect(await client.call('runtime.info', {})).toMatchObject({ host: 'node-child' })
    expect(stdout()).toBe('')
  })

  it('survives a Ctrl+C that comes while it is still starting (an interrupt before its first answer)', async () => {
    const { child, mux } = launch()
    // Before its first line has run, a SIGINT would kill Node; the host sends none until the runtime has answered.
    await once(child.process, 'spawn')
    child.interrupt()
    const client = store.add(new RpcClient(mux.open(), runtimeContract, new MemoryLogger()))
    const result = await client.call('repl.evaluate', { code: '6 * 7' })
    expect(result.ok && stripAnsi(result.text)).toBe('42')
    expect(child.process.exitCode).toBeNull()
  })

  it('answers garbage on the raw IPC channel and inside a channel, and keeps serving', async () => {
    const { child, mux, stderr } = launch()
    const channel = mux.open()
    // Inside a multiplexed channel: the runtime's RPC layer answers.
    await expectGarbageAnswered(channel, garbageMessages(150, 3))
    // Straight onto the IPC channel, below the multiplexer (including values only structured clone carries).
    const raw = [1, 'x', null, { mux: 'one' }, new Map([[1, 2]]), { big: 10n }, new Date(0), { mux: 1, op: 'open' }]
    const replies = collectMessages(child.port, raw.length)
    for (const message of raw) child.port.send(message)
    expectAllProtocolErrors(await replies)

    const client = store.add(new RpcClient(channel, runtimeContract, new MemoryLogger()))
    const result = await client.call('repl.evaluate', { code: '"still alive"' })
    // Each bad message left a log line on the runtime's stderr.
    expect(stderr.filter((line) => line.includes('rejected message')).length).toBe(150 + raw.length)
    expect(result.ok && stripAnsi(result.text)).toBe("'still alive'")
  })

  it('survives errors nobody awaited, shows them labelled with their evaluation, and logs them', async () => {
    const { mux, stderr } = launch()
    const client = store.add(new RpcClient(mux.open(), runtimeContract, new MemoryLogger()))
    const output = collectOutput(client)
    const started = await client.call('repl.evaluate', {
      code: 'setTimeout(() => { throw new Error("boom later") }, 1); Promise.reject(new Error("rejected")); "started"'
    })
    await new Promise((r) => setTimeout(r, 100))
    const result = await client.call('repl.evaluate', { code: '1 + 1' })
    expect(result.ok && stripAnsi(result.text)).toBe('2')
    const errors = output.writes.filter((c) => c.stream === 'stderr').map((c) => ({ evalId: c.evalId, line: stripAnsi(c.text).split('\n')[0] }))
    expect(errors).toEqual(
      expect.arrayContaining([
        { evalId: started.evalId, line: 'Uncaught (in promise) Error: rejected' },
        { evalId: started.evalId, line: 'Uncaught Error: boom later' }
      ])
    )
    expect(stderr.join('\n')).toContain('boom later')
  })

  it('survives a thrown value whose every trap throws', async () => {
    const { mux } = launch()
    const client = store.add(new RpcClient(mux.open(), runtimeContract, new MemoryLogger()))
    const thrown = await client.call('repl.evaluate', {
      code: 'const evil = () => new Proxy({}, { getPrototypeOf() { throw evil() }, get() { throw evil() } }); throw evil()'
    })
    expect(thrown.ok).toBe(false)
    const after = await client.call('repl.evaluate', { code: '"alive"' })
    expect(after.ok && stripAnsi(after.text)).toBe("'alive'")
  })

  it('an error too big or too odd to send still reaches the caller', async () => {
    const { mux } = launch()
    const client = store.add(new RpcClient(mux.open(), runtimeContract, new MemoryLogger()))
    for (const code of [
      'throw new Error("x".repeat(150000))',
      'const e1 = new Error("fn details"); e1.details = () => 1; throw e1',
      'const e2 = new Error("odd stack"); e2.stack = 42; throw e2'
    ]) {
      const result = await client.call('repl.evaluate', { code })
      expect(result.ok, code).toBe(false)
    }
  })

  it('exits, rather than spinning, when its host is killed with SIGKILL (broken pipes and all)', async () => {
    // A host of our own that we can kill: it forks the runtime with piped stderr and prints its pid.
    const host = spawn(
      process.execPath,
      [
        '-e',
        "const c = require('node:child_process').fork(process.argv[1], [], { serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }); console.log(c.pid); setInterval(() => {}, 1000)",
        built.runtime
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    const [line] = (await once(host.stdout!, 'data')) as [Buffer]
    const runtimePid = Number(line.toString().trim())
    host.kill('SIGKILL')
    let alive = true
    for (let i = 0; i < 100 && alive; i++) {
      await new Promise((r) => setTimeout(r, 50))
      alive = !isGone(runtimePid)
    }
    expect(alive).toBe(false)
  })

  it('exits when its host goes away', async () => {
    const { child } = launch()
    const exited = once(child.process, 'exit')
    child.process.disconnect()
    const [code] = await exited
    expect(code).toBe(0)
  })
})
