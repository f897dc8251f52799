import { afterEach, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../../common/logger'
import { createPortPair } from '../../common/protocol/memory-port'
import { RpcClient } from '../../common/protocol/rpc'
import { runtimeContract } from '../../common/runtime-contract'
import { Runtime } from '../runtime'

let runtimes: Runtime[] = []
afterEach(() => {
  runtimes.forEach((r) => r.dispose())
  runtimes = []
})

async function start(setup: string) {
  const runtime = new Runtime({ host: 'in-process', log: new MemoryLogger() })
  runtimes.push(runtime)
  const [clientPort, serverPort] = createPortPair()
  runtime.connect(serverPort)
  const client = new RpcClient(clientPort, runtimeContract, new MemoryLogger())
  const result = await client.call('repl.evaluate', { code: setup })
  if (!result.ok) throw new Error(result.error.message)
  return client
}

const TRAPS = `
var calls = 0
var trap = new Proxy({ inner: 1 }, { get() { calls++; throw new Error('trap') }, ownKeys() { calls++; throw new Error('keys') }, getOwnPropertyDescriptor() { calls++; throw new Error('desc') } })
var withGetter = { plain: 1, get boom() { calls++; throw new Error('getter') } }
var nested = { deeper: { leaf: 'x', list: [1, 2, 3] }, map: new Map([['k', { v: 1 }]]) }
`

describe('inspect (the inspector panel)', () => {
  it('lists the user bindings at the root, paged, with type and preview', async () => {
    const client = await start('var a = 1; var b = "two"; var c = [3]')
    const page = await client.call('repl.inspect', { path: [], offset: 1, limit: 1 })
    expect(page).toMatchObject({ total: 3, offset: 1, entries: [{ name: 'b', type: 'string', preview: "'two'", expandable: false }] })
  })

  it('expands objects, arrays and maps lazily, one level per request', async () => {
    const client = await start(TRAPS)
    const nested = await client.call('repl.inspect', { path: ['nested'] })
    expect(nested.entries.map((e) => [e.name, e.type, e.expandable])).toEqual([
      ['deeper', 'Object', true],
      ['map', 'Map', true]
    ])
    expect((await client.call('repl.inspect', { path: ['nested', 'deeper', 'list'] })).entries.map((e) => e.name)).toEqual(['0', '1', '2', 'length'])
    expect((await client.call('repl.inspect', { path: ['nested', 'map', '[0]'] })).entries[1]).toMatchObject({ name: '1', preview: '{ v: 1 }' })
  })

  it('pitfall-09 never runs getters or Proxy traps', async () => {
    const client = await start(TRAPS)
    const root = await client.call('repl.inspect', { path: [] })
    expect(root.entries.find((e) => e.name === 'trap')).toMatchObject({ type: 'Proxy', expandable: false })
    expect((await client.call('repl.inspect', { path: ['trap'] })).note).toMatch(/a Proxy is not expanded/)
    const getter = await client.call('repl.inspect', { path: ['withGetter'] })
    expect(getter.entries).toEqual([expect.objectContaining({ name: 'plain' }), { name: 'boom', type: 'getter', preview: '[getter]', expandable: false }])
    expect((await client.call('repl.inspect', { path: ['withGetter', 'boom'] })).note).toBe('boom is a getter: it is not called')
    expect((await client.call('repl.evaluate', { code: 'calls' })).ok && true).toBe(true)
    const calls = await client.call('repl.evaluate', { code: 'calls' })
    expect(calls.ok && calls.text).toContain('0')
  })

  it('marks where the fields of a graph node came from', async () => {
    const client = await start(`
      const Start = node('Start', { q: z.string(), now: dep(z.string(), () => 'noon'), ok: gate(z.boolean().default(true), 'ok?') })
      var run = await graph(Start)({ q: 'hi' }, { gate: async () => ({ ok: false }) })
      var first = run.trace[0]`)
    const fields = await client.call('repl.inspect', { path: ['first'] })
    expect(fields.entries.map((e) => [e.name, e.origin])).toEqual([
      ['q', 'LM'],
      ['now', 'dep'],
      ['ok', 'gate']
    ])
  })
})

describe('completion', () => {
  it('completes namespace names and keywords', async () => {
    const client = await start('var greeting = "hi"; var greet = () => 1')
    const result = await client.call('repl.complete', { code: 'gre', cursor: 3 })
    expect(result).toMatchObject({ from: 0, to: 3, partial: false })
    expect(result.items.map((i) => [i.label, i.kind])).toEqual([
      ['greet', 'function'],
      ['greeting', 'variable']
    ])
    expect((await client.call('repl.complete', { code: 'aw', cursor: 2 })).items).toContainEqual({ label: 'await', kind: 'keyword' })
  })

  it('completes members after a dot, through data properties, prototypes included', async () => {
    const client = await start(TRAPS + '; class Box { open() {} }; var box = new Box()')
    expect((await client.call('repl.complete', { code: 'nested.deeper.l', cursor: 15 })).items.map((i) => i.label)).toEqual(['leaf', 'list'])
    expect((await client.call('repl.complete', { code: 'box.op', cursor: 6 })).items).toEqual([{ label: 'open', kind: 'method' }])
    expect((await client.call('repl.complete', { code: 'nested.deeper.leaf.toUpp', cursor: 24 })).items.map((i) => i.label)).toEqual(['toUpperCase'])
  })

  it('pitfall-13 completion never triggers getters or Proxy traps, and answers fast', async () => {
    const client = await start(TRAPS)
    const started = performance.now()
    expect((await client.call('repl.complete', { code: 'trap.', cursor: 5 })).items).toEqual([])
    expect((await client.call('repl.complete', { code: 'withGetter.boom.', cursor: 16 })).items).toEqual([])
    expect((await client.call('repl.complete', { code: 'withGetter.', cursor: 11 })).items.map((i) => i.label)).toEqual(['boom', 'plain'])
    expect(performance.now() - started).toBeLessThan(500)
    const calls = await client.call('repl.evaluate', { code: 'calls' })
    expect(calls.ok && calls.text).toContain('0')
  })
})
