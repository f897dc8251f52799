import { afterEach, describe, expect, it } from 'vitest'
import { resultText } from '../../test/support/ansi'
import { collectOutput } from '../../test/support/output'
import type { GraphProgress } from '../common/graph-contract'
import { MemoryLogger } from '../common/logger'
import { createPortPair } from '../common/protocol/memory-port'
import { RpcClient } from '../common/protocol/rpc'
import { runtimeContract } from '../common/runtime-contract'
import type { SpanDto } from '../common/trace-contract'
import { Runtime } from './runtime'
import { until } from '../../test/support/until'

let runtimes: Runtime[] = []
afterEach(() => {
  runtimes.forEach((r) => r.dispose())
  runtimes = []
})

function start() {
  const runtime = new Runtime({ host: 'in-process', log: new MemoryLogger(), output: { flushMs: 1, partialLineMs: 1 }, tracing: { enabled: true } })
  runtimes.push(runtime)
  const [clientPort, serverPort] = createPortPair()
  runtime.connect(serverPort)
  const client = new RpcClient(clientPort, runtimeContract, new MemoryLogger())
  const output = collectOutput(client)
  const progress: GraphProgress[] = []
  client.subscribe('graph.progress', (event) => progress.push(event))
  const run = async (code: string) => resultText(await client.call('repl.evaluate', { code }))
  return { runtime, client, output, progress, run }
}

// Custom routing throughout: no LM needed. Review's gate is asked while Start's step makes it.
const REVIEW_GRAPH = `
const Done = node('Done', { verdict: z.string() })
const Review = node('Review', { draft: z.string(), approve: gate(z.boolean(), 'ship it?') }).to(() => [Done])
Review.run((self) => Done.make({ verdict: self.approve ? 'shipped' : 'held' }))
const Start = node('Start', { draft: z.string() }).to(() => [Review])
Start.run((self) => Review.make({ draft: self.draft }))
var review = graph(Start)
`

const spanNamed = (runtime: Runtime, name: string): SpanDto => runtime.traces.spans().find((span) => span.name === name)!

describe('graph view: topology and live positions', () => {
  it('lists the graphs of the namespace and tells where each run is: at a node, waiting at a gate, ended', async () => {
    const { client, progress, run } = start()
    await run(REVIEW_GRAPH)
    const listed = await client.call('graph.list', {})
    expect(listed.graphs.map((g) => [g.name, g.start, g.nodes.map((n) => n.name)])).toEqual([['review', 'Start', ['Start', 'Review', 'Done']]])
    expect(listed.runs).toEqual([])

    await run("var pending = review({ draft: 'v1' })")
    await until(() => progress.some((p) => p.state === 'waiting'))
    expect(progress.find((p) => p.state === 'waiting')).toEqual({ runId: 'g1', graph: 'Start', node: 'Review', step: 2, state: 'waiting' })
    expect((await client.call('graph.list', {})).runs).toEqual([{ runId: 'g1', graph: 'Start', node: 'Review', step: 2, state: 'waiting' }])

    await run('@g1.0 true')
    await until(() => progress.some((p) => p.state === 'done'))
    expect(progress.at(-1)).toMatchObject({ runId: 'g1', state: 'done', node: 'Done' })
    expect((await client.call('graph.list', {})).runs).toEqual([])
  })
})

describe('span selection: $span and $node', () => {
  it("binds a node span's instance from the run's trace, and a run span's last node", async () => {
    const { runtime, client, output, run } = start()
    await run(REVIEW_GRAPH)
    await run("var pending = review({ draft: 'v1' })")
    await until(() => runtime.engine.pendingGates().length === 1)

    // While the run waits, its instances do not exist yet: $node is undefined, and the line says why.
    const early = spanNamed(runtime, 'node Start')
    const waiting = await client.call('trace.select', { traceId: early.traceId, spanId: early.spanId, given: [] })
    expect(waiting.note).toBe('g1 is still waiting at a gate: Start (step 1) has not finished yet')
    expect(await run('$node')).toBe('undefined')
    // Review's gate waits in Start's step (making Review): no step has finished, so the run has no latest node either.
    const live = spanNamed(runtime, 'invoke_workflow Start')
    expect((await client.call('trace.select', { traceId: live.traceId, spanId: live.spanId, given: [] })).note).toBe(
      'g1 is still waiting at a gate: no step has finished yet'
    )

    await run('@g1.0 true')
    await run('await pending')
    const reviewSpan = spanNamed(runtime, 'node Review')
    const selected = await client.call('trace.select', { traceId: reviewSpan.traceId, spanId: reviewSpan.spanId, given: [] })
    expect(selected).toEqual({ summary: '$span = node Review · $node = Review (g1 step 2)', node: 'Review' })
    expect(await run('$node.approve')).toBe('true')
    expect(await run('$span.name')).toBe("'node Review'")
    expect(await run('$span.attributes["cortex.step"]')).toBe('2')
    expect(await run('Object.isFrozen($span) && Object.isFrozen($span.attributes)')).toBe('true')
    await until(() => output.writes.some((w) => w.channel === 'debug' && w.text.includes('$node = Review (g1 step 2)')))

    const runSpan = spanNamed(runtime, 'invoke_workflow Start')
    const whole = await client.call('trace.select', { traceId: runSpan.traceId, spanId: runSpan.spanId, given: [] })
    expect(whole.node).toBe('Done')
    expect(await run('$node.verdict')).toBe("'shipped'")

    // The inspector lists them with the user's bindings.
    const names = (await client.call('repl.inspect', { path: [], offset: 0, limit: 100 })).entries.map((e) => e.name)
    expect(names).toEqual(expect.arrayContaining(['$span', '$node']))
  })

  it('while a run goes on, a finished step gives its instance; the run span gives the latest finished step', async () => {
    const { runtime, client, run } = start()
    await run(`
      const End = node('End', { ok: z.boolean() })
      const Ask = node('Ask', { ok: gate(z.boolean(), 'ok?') }).to(() => [End]); Ask.run((self) => End.make({ ok: self.ok }))
      const Mid = node('Mid', {}).to(() => [Ask]); Mid.run(() => Ask.make())
      const First = node('First', { n: z.number() }).to(() => [Mid]); First.run(() => Mid.make())
      var asking = graph(First)`)
    await run('var pending = asking({ n: 7 })')
    // Ask's gate waits in Mid's step (step 2, making Ask): First's step has finished.
    await until(() => runtime.engine.pendingGates().length === 1)
    const first = spanNamed(runtime, 'node First')
    expect(await client.call('trace.select', { traceId: first.traceId, spanId: first.spanId, given: [] })).toEqual({
      summary: '$span = node First · $node = First (g1 step 1)',
      node: 'First'
    })
    expect(await run('$node.n')).toBe('7')
    const whole = spanNamed(runtime, 'invoke_workflow First')
    expect((await client.call('trace.select', { traceId: whole.traceId, spanId: whole.spanId, given: [] })).summary).toContain(
      "$node = First (g1's latest finished step, 1; it goes on)"
    )
    await run('@g1.0 true')
    expect(await run('(await pending).result.ok')).toBe('true')
  })

  it('an imported span gives $span as it was imported, and no $node (no run of this session made it)', async () => {
    const { client, run } = start()
    const imported: SpanDto = {
      traceId: 'ab'.repeat(16),
      spanId: 'cd'.repeat(8),
      name: 'node RecommendOOTD',
      kind: 'internal',
      startTime: '1700000000000000000',
      endTime: '1700000000250000000',
      attributes: { 'cortex.node.name': 'RecommendOOTD', 'cortex.step': 3 },
      events: [],
      links: [],
      status: { code: 'ok' },
      resource: {},
      scope: { name: 'cortex' }
    }
    const selected = await client.call('trace.select', { traceId: imported.traceId, spanId: imported.spanId, given: [imported] })
    expect(selected.note).toBe('an imported span: no run of this session made it')
    expect(await run('[$span.source, $span.durationMs, $node]')).toBe("[ 'imported', 250, undefined ]")
  })
})
