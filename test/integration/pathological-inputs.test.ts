/**
 * Pathological REPL inputs against the real runtime process: runaway recursion, a 100 MB string
 * result, cyclic objects, Proxies whose every trap throws, getters that throw or never return.
 * What the user sees stays readable and bounded, the inspector and completion never run a trap or
 * a getter (pitfall-09, pitfall-13), and the runtime answers `1 + 1` after each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import { RpcClient } from '../../src/common/protocol/rpc'
import { runtimeContract } from '../../src/common/runtime-contract'
import { launchRuntimeChild, stopRuntime, type RuntimeChild } from '../../src/webhost/runtime-process'
import { resultText } from '../support/ansi'
import { assertBuilt, built } from '../support/built'

/** Longest result text a value may print as (the REPL bounds its repr). */
const MAX_RESULT_CHARS = 200_000

let child: RuntimeChild
let client: RpcClient<typeof runtimeContract>
beforeAll(() => {
  assertBuilt()
  child = launchRuntimeChild(built.runtime, new MemoryLogger(), () => {})
  const mux = new PortMux(child.port, new MemoryLogger())
  client = new RpcClient(mux.open(), runtimeContract, new MemoryLogger())
  client.subscribe('repl.output', (batch) => void client.call('repl.ack', { seq: batch.seq }).catch(() => undefined))
})
afterAll(() => stopRuntime(child.process))

const run = async (code: string): Promise<string> => resultText(await client.call('repl.evaluate', { code }))
async function expectUp(): Promise<void> {
  expect(await run('1 + 1')).toBe('2')
}

/** Defines `name` as a Proxy whose every trap counts itself in `trapCalls` and throws. */
const HOSTILE_PROXY = `var trapCalls = 0
var hostile = new Proxy({}, Object.fromEntries(['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'apply', 'construct', 'set', 'defineProperty', 'deleteProperty', 'isExtensible', 'preventExtensions', 'setPrototypeOf']
  .map((trap) => [trap, () => { trapCalls++; throw new Error('trap ' + trap) }])))`

describe('pathological REPL inputs (real runtime process)', () => {
  it('runaway recursion: a readable RangeError, and the runtime stays up', async () => {
    expect(await run('function down(n) { return down(n + 1) + 1 }; down(0)')).toMatch(/^error: Maximum call stack size exceeded/)
    expect(
      await run('const deepArray = []; let cursor = deepArray; for (let i = 0; i < 100000; i++) { cursor[0] = []; cursor = cursor[0] }; deepArray')
    ).not.toBe('')
    await expectUp()
  })

  it('a 100 MB string result prints bounded, and stays in the namespace whole', async () => {
    const text = await run("var big = 'x'.repeat(100 * 1024 * 1024); big")
    expect(text.length).toBeLessThan(MAX_RESULT_CHARS)
    expect(text).toMatch(/more characters/)
    expect(await run('big.length')).toBe('104857600')
    await expectUp()
  })

  it('cyclic objects: repr, inspector and ns() show the cycle and end', async () => {
    await run('var cyclic = { name: "loop" }; cyclic.self = cyclic; cyclic.list = [cyclic, { back: cyclic }]')
    expect(await run('cyclic')).toContain('[Circular')
    const page = await client.call('repl.inspect', { path: ['cyclic'] })
    expect(page.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['name', 'self', 'list']))
    // Expanding the cycle again and again is just another page each time.
    const deeper = await client.call('repl.inspect', { path: ['cyclic', 'self', 'self', 'self', 'list'] })
    expect(deeper.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['0', '1']))
    expect((await run('ns(cyclic)')).length).toBeLessThan(MAX_RESULT_CHARS)
    await expectUp()
  })

  it('a Proxy whose every trap throws: the inspector, completion and ns() run no trap; its repr is a bounded note', async () => {
    await run(HOSTILE_PROXY)
    await run('var holder = { inner: hostile }')
    await client.call('repl.inspect', { path: [] })
    await client.call('repl.inspect', { path: ['hostile'] }).catch(() => undefined)
    await client.call('repl.inspect', { path: ['holder'] })
    await client.call('repl.complete', { code: 'hostile.', cursor: 'hostile.'.length })
    await client.call('repl.complete', { code: 'holder.inner.x', cursor: 'holder.inner.x'.length })
    expect(await run('trapCalls')).toBe('0')
    const nsText = await run('ns()')
    expect(nsText).toContain('hostile')
    expect(await run('trapCalls')).toBe('0')
    // Printing it as a result shows the Proxy, and at most a short note, never a trap's stack.
    const repr = await run('hostile')
    expect(repr.length).toBeLessThan(1000)
    expect(repr).not.toMatch(/at .*\(.*:\d+:\d+\)/)
    await expectUp()
  })

  it('getters that throw or never return are not run by the inspector, completion or the repr', async () => {
    await run('var getterCalls = 0; var tricky = { get bad() { getterCalls++; throw new Error("getter") }, get forever() { getterCalls++; for (;;) {} } }')
    await client.call('repl.inspect', { path: ['tricky'] })
    await client.call('repl.complete', { code: 'tricky.', cursor: 'tricky.'.length })
    expect(await run('tricky')).toMatch(/\[Getter\]/)
    expect(await run('getterCalls')).toBe('0')
    // Reading the throwing getter on purpose gives its error as the result.
    expect(await run('tricky.bad')).toBe('error: getter')
    await expectUp()
  })
})
