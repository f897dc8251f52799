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

// eslint-disable-next-line no-control-regex -- results come coloured
const plain = (text: string) => text.replace(/\x1b\[[\d;]*m/g, '')

/** Two nodes, no LM: Start's logic makes End; End recalls Start, and its deps return a getter and a Proxy. */
const GRAPH = `
var seen = 0
var counting = new Proxy({ inner: 1 }, { get(t, k) { seen++; return Reflect.get(t, k) }, ownKeys(t) { seen++; return Reflect.ownKeys(t) }, getOwnPropertyDescriptor(t, k) { seen++; return Reflect.getOwnPropertyDescriptor(t, k) } })
const Start = node('Start', { q: z.string(), now: dep(z.string(), () => 'noon'), ok: gate(z.boolean().default(true), 'ok?') }).to(() => End)
const End = node('End', { note: z.string(), start: recall(Start), odd: dep(z.any(), () => withGetter), hidden: dep(z.any(), () => counting) })
Start.run((self) => End.make({ note: 'from ' + self.q }))
const Broken = node('Broken', { x: dep(z.string(), () => { throw new Error('no x') }) })
const First = node('First', { q: z.string() }).to(() => Broken)
First.run(() => Broken.make({}))
`

describe('inspect: the graph runs root (#runs)', () => {
  it('lists the runs by id, with their state as type and graph and place as preview', async () => {
    const client = await start(
      TRAPS +
        GRAPH +
        "var done = await graph(Start)({ q: 'hi' }, { gate: async () => ({ ok: false }) }); var failed = await graph(First)({ q: 'x' }).catch((e) => e)"
    )
    const runs = await client.call('repl.inspect', { path: ['#runs'] })
    expect(runs).toMatchObject({ path: ['#runs'], total: 2, offset: 0 })
    expect(runs.entries).toEqual([
      { name: 'g1', type: 'done', preview: 'Start · done · ended at End', expandable: true },
      { name: 'g2', type: 'failed', preview: 'First · failed · at First', expandable: true }
    ])
    // The runs root is not a binding: the user's list stays their own.
    expect((await client.call('repl.inspect', { path: [] })).entries.map((e) => e.name)).not.toContain('#runs')
  })

  it("lists a run's node instances in trace order, their fields marked with where they came from", async () => {
    const client = await start(
      TRAPS +
        GRAPH +
        "var done = await graph(Start)({ q: 'hi' }, { gate: async () => ({ ok: false }) }); var failed = await graph(First)({ q: 'x' }).catch((e) => e)"
    )
    const steps = await client.call('repl.inspect', { path: ['#runs', 'g1'] })
    expect(steps.entries.map((e) => [e.name, e.type, e.expandable])).toEqual([
      ['0', 'Start', true],
      ['1', 'End', true]
    ])
    const end = await client.call('repl.inspect', { path: ['#runs', 'g1', '1'] })
    expect(end.entries.map((e) => [e.name, e.origin, e.preview])).toEqual([
      ['note', 'LM', "'from hi'"],
      ['start', 'recall', expect.stringContaining("q: 'hi'")],
      ['odd', 'dep', expect.any(String)],
      ['hidden', 'dep', expect.any(String)]
    ])
    expect((await client.call('repl.inspect', { path: ['#runs', 'g1', '1', 'start'] })).entries.map((e) => [e.name, e.origin])).toEqual([
      ['q', 'LM'],
      ['now', 'dep'],
      ['ok', 'gate']
    ])
    // A failed run shows the partial trace its error carries: the steps before the failure.
    expect((await client.call('repl.inspect', { path: ['#runs', 'g2'] })).entries.map((e) => e.type)).toEqual(['First'])
    expect(await client.call('repl.inspect', { path: ['#runs', 'g9'] })).toMatchObject({ entries: [], total: 0, note: expect.stringContaining('no run g9') })
    expect((await client.call('repl.inspect', { path: ['#runs', 'g9', '0'] })).note).toBe('no run g9')
    // What the inspector inserts at the prompt for these rows really evaluates to them.
    const top = await client.call('repl.evaluate', { code: "[engine.run('g1').result.trace[1].note, engine.run('g2').error.trace[0].q]" })
    expect(top.ok && plain(top.text)).toBe("[ 'from hi', 'x' ]")
  })

  it('shows a running run by the instances of its finished steps, then all its instances once it ends', async () => {
    const client = await start(TRAPS + GRAPH + "var waiting = graph(Start)({ q: 'later' })")
    await expect
      .poll(async () => (await client.call('repl.inspect', { path: ['#runs'] })).entries[0])
      .toEqual({ name: 'g1', type: 'waiting', preview: 'Start · waiting · gate at Start', expandable: true })
    // Waiting at Start's gate: no step has finished yet.
    expect(await client.call('repl.inspect', { path: ['#runs', 'g1'] })).toMatchObject({ entries: [], note: 'no step has finished yet' })
    expect(await client.call('repl.evaluate', { code: "engine.answer('g1.0', 'true'); (await waiting).trace.length" })).toMatchObject({
      ok: true,
      text: expect.stringContaining('2')
    })
    const steps = await client.call('repl.inspect', { path: ['#runs', 'g1'] })
    expect(steps.entries.map((e) => e.type)).toEqual(['Start', 'End'])
    expect(steps.note).toBeUndefined()
  })

  it('pitfall-09 never runs getters or Proxy traps below a run either', async () => {
    const client = await start(TRAPS + GRAPH + "var done = await graph(Start)({ q: 'hi' }, { gate: async () => ({ ok: true }) }); var before = [calls, seen]")
    const end = await client.call('repl.inspect', { path: ['#runs', 'g1', '1'] })
    expect(end.entries.find((e) => e.name === 'hidden')).toMatchObject({ type: 'Proxy', expandable: false })
    expect((await client.call('repl.inspect', { path: ['#runs', 'g1', '1', 'hidden'] })).note).toMatch(/a Proxy is not expanded/)
    expect((await client.call('repl.inspect', { path: ['#runs', 'g1', '1', 'odd'] })).entries).toContainEqual({
      name: 'boom',
      type: 'getter',
      preview: '[getter]',
      expandable: false
    })
    expect((await client.call('repl.inspect', { path: ['#runs', 'g1', '1', 'odd', 'boom'] })).note).toBe('boom is a getter: it is not called')
    const after = await client.call('repl.evaluate', { code: '[calls, seen].join() === before.join()' })
    expect(after.ok && plain(after.text)).toBe('true')
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
