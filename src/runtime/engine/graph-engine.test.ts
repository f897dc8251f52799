import { afterEach, describe, expect, it } from 'vitest'
import { resultText } from '../../../test/support/ansi'
import { collectOutput } from '../../../test/support/output'
import { MemoryLogger } from '../../common/logger'
import { createPortPair } from '../../common/protocol/memory-port'
import { RpcClient } from '../../common/protocol/rpc'
import { runtimeContract } from '../../common/runtime-contract'
import { Runtime } from '../runtime'
import { until } from '../../../test/support/until'

let runtimes: Runtime[] = []
afterEach(() => {
  runtimes.forEach((r) => r.dispose())
  runtimes = []
})

function start() {
  const runtime = new Runtime({ host: 'in-process', log: new MemoryLogger(), output: { flushMs: 1, partialLineMs: 1 } })
  runtimes.push(runtime)
  const [clientPort, serverPort] = createPortPair()
  runtime.connect(serverPort)
  const client = new RpcClient(clientPort, runtimeContract, new MemoryLogger())
  const output = collectOutput(client)
  const run = async (code: string) => resultText(await client.call('repl.evaluate', { code }))
  return { runtime, client, output, run }
}

const REVIEW_GRAPH = `
const Done = node('Done', { verdict: z.string() })
const Review = node('Review', { draft: z.string(), approve: gate(z.boolean(), 'ship it?') }).to(() => [Done])
Review.run((self) => Done.make({ verdict: self.approve ? 'shipped' : 'held' }))
const review = graph(Review)
`

describe('graph engine (through the REPL)', () => {
  it('pitfall-01 registers runs started in the REPL as g1, g2 …, on the REPL’s own event loop, in the background, with per-node and per-dep timings', async () => {
    const { run, runtime, output } = start()
    await run(`
      const slowDep = dep(z.number(), async function slowDep() { await new Promise((r) => setTimeout(r, 30)); return 7 })
      const End = node('End', { seven: slowDep })
      const Start = node('Start', { n: z.number() }).to(() => [End]); Start.run(() => End.make())
      const g = graph(Start)`)
    // Not awaited: the run goes on in the background, the prompt returns at once.
    expect(await run('const pending = g({ n: 1 }); "started"')).toBe("'started'")
    expect(runtime.engine.runs()[0]).toMatchObject({ id: 'g1', graph: 'Start', state: 'running' })
    expect(await run('(await pending).result.seven')).toBe('7')
    const record = runtime.engine.getRun('g1')!
    expect(record.state).toBe('done')
    expect(record.nodes.map((n) => n.node)).toEqual(['Start', 'End'])
    expect(record.deps).toEqual([expect.objectContaining({ node: 'End', dep: 'slowDep', ms: expect.any(Number) })])
    expect(record.deps[0]!.ms).toBeGreaterThanOrEqual(25)
    await until(() => output.text().includes('Start done'))
    expect(output.writes.find((w) => w.text.includes('Start started'))).toMatchObject({ channel: 'graph', taskId: 'g1' })
    await run('await g({ n: 2 })')
    expect(runtime.engine.runs().map((r) => r.id)).toContain('g2')
  })

  it('suspends a run at a gate, lists it, and takes the answer with @g1.0 (validated)', async () => {
    const { run, runtime, output, client } = start()
    await run(REVIEW_GRAPH)
    await run("var answer = review({ draft: 'v1' })")
    await until(() => runtime.engine.pendingGates().length === 1)
    expect(runtime.engine.runs()[0]!.state).toBe('waiting')
    expect((await client.call('tasks.list', {})).find((t) => t.id === 'g1')!.state).toBe('waiting')
    await until(() => output.text().includes('gate g1.0: Review.approve — ship it?'))
    expect(await run('@g1.0 perhaps')).toMatch(/^error: g1\.0 \(Review\.approve\) expects boolean/)
    expect(runtime.engine.pendingGates()).toHaveLength(1) // still waiting after a bad answer
    expect(await run('@g1.0 true')).toBe('g1.0 answered')
    expect(await run('(await answer).result.verdict')).toBe("'shipped'")
    expect(await run('@g9.9 true')).toMatch(/^error: no gate g9\.9 is waiting/)
  })

  it('cancelling a run cancels its gates', async () => {
    const { run, runtime, client } = start()
    await run(REVIEW_GRAPH)
    await run("var pendingReview = review({ draft: 'v1' }).catch((e) => e.name)")
    await until(() => runtime.engine.pendingGates().length === 1)
    expect(await client.call('tasks.cancel', { id: 'g1' })).toEqual({ cancelled: 1 })
    expect(await run('await pendingReview')).toBe("'GraphCancelledError'")
    expect(runtime.engine.pendingGates()).toEqual([])
    expect(runtime.engine.getRun('g1')!.state).toBe('cancelled')
  })

  it('Ctrl+C on the evaluation that awaits a run cancels the run; a run it did not await goes on', async () => {
    const { client, run, runtime } = start()
    await run(REVIEW_GRAPH)
    const controller = new AbortController()
    const awaiting = client.call('repl.evaluate', { code: "await review({ draft: 'awaited' })" }, { signal: controller.signal }).catch((e: unknown) => e)
    await until(() => runtime.engine.pendingGates().length === 1)
    controller.abort()
    await awaiting
    await until(() => runtime.engine.getRun('g1')?.state === 'cancelled')
    await run("var background = review({ draft: 'not awaited' }).catch((e) => e.name)")
    await until(() => runtime.engine.pendingGates().length === 1)
    expect(runtime.engine.getRun('g2')!.state).toBe('waiting') // its evaluation ended; the run did not
    expect(await run('@g2.0 false')).toBe('g2.0 answered')
  })

  it('the output policy decides what the graph channel says', async () => {
    const { run, output } = start()
    await run(REVIEW_GRAPH.replace("approve: gate(z.boolean(), 'ship it?')", 'approve: z.boolean()'))
    await run("engine.setPolicy('silent'); await review({ draft: 'quiet', approve: true })")
    await run("engine.setPolicy('verbose'); await review({ draft: 'loud', approve: true })")
    await until(() => output.text().includes('Review done'))
    const graphLines = output.writes.filter((w) => w.channel === 'graph').map((w) => w.text)
    expect(graphLines.some((t) => t.includes('g1'))).toBe(false)
    expect(graphLines.join('')).toContain('Review (step 1)')
    expect(await run("engine.setPolicy('chatty')")).toMatch(/^error: the output policy is one of verbose, normal, quiet, silent/)
  })

  it('graph errors say where the run was', async () => {
    const { client, run } = start()
    await run(`const Bad = node('Bad', { x: dep(z.number(), function broken() { throw new Error('no data') }) }); const bad = graph(Bad)`)
    const result = await client.call('repl.evaluate', { code: 'await bad({})' })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error).toMatchObject({ name: 'DepError' })
      expect(result.error.message).toContain('broken failed on Bad: no data')
      expect(result.error.details).toMatchObject({ where: 'at Bad, step 1', trace: [] })
    }
  })
})

describe('pitfalls', () => {
  it('pitfall-02 console output of concurrent graph deps goes to their own run, never to raw stdout', async () => {
    const { run, output } = start()
    const stdout: unknown[] = []
    const original = process.stdout.write
    process.stdout.write = ((chunk: unknown) => (stdout.push(chunk), true)) as typeof process.stdout.write
    try {
      const result = await run(`
        const Name = z.string().describe('who')
        const talk = dep(z.string(), { who: recall(Name) }, async function talk({ who }) {
          for (let i = 0; i < 3; i++) { console.log(who + ' ' + i); await new Promise((r) => setTimeout(r, 5)) }
          return who
        })
        const Said = node('Said', { said: talk })
        const Who = node('Who', { who: Name }).to(() => [Said]); Who.run(() => Said.make())
        const chat = graph(Who)
        ;(await Promise.all([chat({ who: 'alice' }), chat({ who: 'bob' })])).length`)
      expect(result).toBe('2')
    } finally {
      process.stdout.write = original
    }
    await until(() => output.writes.filter((w) => /^(alice|bob) \d/.test(w.text)).length === 6)
    const lines = output.writes.filter((w) => /^(alice|bob) \d/.test(w.text))
    for (const w of lines) expect([w.channel, w.taskId, w.text.startsWith('alice') ? 'g1' : 'g2']).toEqual(['graph', w.taskId, w.taskId])
    expect(stdout).toEqual([])
  })

  it('pitfall-06 the result history is bounded: results older than _10 can be collected', async () => {
    const { run, runtime } = start()
    ;(await import('node:v8')).setFlagsFromString('--expose-gc')
    const gc = (await import('node:vm')).runInNewContext('gc') as (() => void) | undefined
    await run('var tracked = []')
    let collected = false
    const registry = new FinalizationRegistry(() => (collected = true))
    await run('({ big: new Uint8Array(1024 * 1024) })')
    registry.register(runtime.evaluator.context['_1'] as object, 'first')
    for (let i = 0; i < 11; i++) await run(`${i}`) // push the first result out of _1 … _10
    expect(runtime.evaluator.context['_10']).toBe(1)
    for (let i = 0; i < 10 && !collected; i++) {
      gc?.()
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(typeof gc).toBe('function')
    expect(collected).toBe(true)
  })
})

describe('namespace', () => {
  it('is seeded with the framework, the engine and tasks; ns() lists only user bindings', async () => {
    const { run } = start()
    expect(await run('[typeof node, typeof dep, typeof graph, typeof z.object, typeof engine.runs, typeof tasks.list]')).toBe(
      "[ 'function', 'function', 'function', 'function', 'function', 'function' ]"
    )
    await run('const answer = 42; const Hello = node("Hello", { who: z.string() })')
    const listing = await run('ns()')
    expect(listing).toMatch(/^namespace\nname\s+type\s+value\s*\n/)
    expect(listing).toMatch(/answer\s+number\s+42/)
    expect(listing).toMatch(/Hello\s+node\s+\[node Hello\]/)
    expect(listing).not.toMatch(/\bdep\b|\bengine\b/)
    expect(await run('ns(Hello)')).toMatch(/node Hello \(terminal\)\nfield\s+from\s+required\nwho\s+LM\s+true/)
  })

  it('shows values whose getters throw, and Proxies, without running them (pitfall 9)', async () => {
    const { run } = start()
    await run('var trap = new Proxy({}, { get() { throw new Error("trap!") }, ownKeys() { throw new Error("keys!") } })')
    await run('var getter = { get boom() { throw new Error("getter!") } }')
    const listing = await run('ns()')
    expect(listing).toMatch(/trap\s+Proxy\s+/)
    expect(listing).toMatch(/getter\s+Object\s+\{ boom: \[Getter\] \}/)
    expect(await run('ns(trap)')).toMatch(/Proxy/)
  })

  it('keeps runtime internals read-only', async () => {
    const { run } = start()
    expect(await run('(() => { "use strict"; try { engine.policy = "silent"; return "changed" } catch (e) { return e.constructor.name } })()')).toBe(
      "'TypeError'"
    )
    expect(await run('Object.isFrozen(engine) && Object.isFrozen(tasks)')).toBe('true')
  })
})
