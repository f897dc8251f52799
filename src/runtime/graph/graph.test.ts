import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createLm, MockBackend } from '../lm'
import { GraphDefinitionError, GraphError } from './errors'
import { Graph, graph } from './graph'
import { dep, effect, gate, recall } from './markers'
import { node, nodeOf, type NodeInstance } from './node'

const names = (trace: readonly NodeInstance[]) => trace.map((n) => nodeOf(n)!.name)

describe('nodes', () => {
  it('are typed: an instance has the fields of its shape', () => {
    const Recommend = node('Recommend', { top: z.string(), layers: z.array(z.string()).default([]) })
    const made = Recommend.make({ top: 'sweater' })
    const top: string = made.top // compile-time: a string
    expect(top).toBe('sweater')
    expect(Recommend.is(made)).toBe(true)
    expect(nodeOf(made)).toBe(Recommend)
    expect(Object.keys(made)).toEqual(['top']) // nothing hidden is enumerable
  })

  it('reject a field that is not a schema, dep, recall, gate or node, naming it', () => {
    expect(() => node('Bad', { fine: z.string(), broken: 42 as never })).toThrow("field 'broken' of node Bad is a number")
    const Target = node('Target', {})
    expect(() => node('Bad', { edge: effect(Target, () => {}) as never })).toThrow('effects go on edges')
    expect(() => node('', {})).toThrow('non-empty string')
  })

  it('route: one successor is make, several or a possible stop is decide, logic is custom, none is terminal', () => {
    const End = node('End', {})
    const A = node('A', {}).to(() => End)
    const B = node('B', {}).to(() => [A, End])
    const C = node('C', {}).to(() => [End, null])
    const D = node('D', {}).run(() => null)
    expect([A.routing, B.routing, C.routing, D.routing, End.routing]).toEqual(['make', 'decide', 'decide', 'custom', 'terminal'])
    expect(C.edges.canStop).toBe(true)
  })
})

describe('Graph', () => {
  const Done = node('Done', { answer: z.string() })
  const Think = node('Think', { thought: z.string() }).to(() => [Think, Done])
  const Ask = node('Ask', { question: z.string(), user: z.object({ name: z.string(), city: z.string().default('Seattle') }) }).to(() => Think)

  it('discovers nodes, edges and terminals from the start node, loops included', () => {
    const g = new Graph(Ask)
    expect(g.nodes.map((n) => n.name)).toEqual(['Ask', 'Think', 'Done'])
    expect(g.edges.get(Think)!.map((n) => n.name)).toEqual(['Think', 'Done'])
    expect(g.terminals.map((n) => n.name)).toEqual(['Done'])
    expect(g.inputs).toEqual(['question', 'user'])
    expect(g.validate()).toEqual([])
  })

  it('exports mermaid like bae: terminals as circles, nodes that may stop as hexagons', () => {
    const Maybe = node('Maybe', {}).to(() => [Done, null])
    const Start = node('Start', {}).to(() => [Maybe])
    expect(new Graph(Start).toMermaid()).toBe(['graph TD', '  Start --> Maybe', '  Maybe{{Maybe}}', '  Maybe --> Done', '  Done((Done))'].join('\n'))
  })

  it('reports nodes with no path to a terminal', () => {
    const Spin = node('Spin', {}).to(() => Spin)
    const Start = node('Start', {}).to(() => [Spin, Done])
    expect(new Graph(Start).validate()).toEqual(['Spin has no path to a terminal node (a potential infinite loop)'])
  })

  it('refuses bad definitions at graph time, naming each culprit', () => {
    const Twin = node('Done', {})
    const Start = node('Start', {}).to(() => [Done, Twin])
    expect(() => new Graph(Start)).toThrow(/two different nodes are named Done/)

    const NotANode = node('NotANode', {}).to(() => ({ name: 'fake' }) as never)
    expect(() => new Graph(NotANode)).toThrow('successor 0 of NotANode is an object')

    const noSchema = dep(undefined as never, async function fetchThing() {
      return 1
    })
    const UsesIt = node('UsesIt', { thing: noSchema })
    expect(() => new Graph(UsesIt)).toThrow('dep fetchThing (used by UsesIt) has no output schema')

    const First = node('First', { earlier: recall(Done) })
    expect(() => new Graph(First)).toThrow('First.earlier is a recall, but First is the start node')

    expect(() => new Graph(Done.make({ answer: 'x' }) as never)).toThrow('takes the node definition, not an instance: use Done')
  })

  it('reports dependency cycles with a readable path', () => {
    type Loop = ReturnType<typeof dep<number>>
    const inputs: Record<string, Loop> = {}
    const a: Loop = dep(z.number(), inputs, function a() {
      return 1
    })
    const b = dep(z.number(), { a }, function b() {
      return 2
    })
    inputs['b'] = b // close the loop after both exist
    const Start = node('Start', { value: a })
    let error: unknown
    try {
      new Graph(Start)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(GraphDefinitionError)
    expect((error as Error).message).toContain('dependency cycle in Start: a -> b -> a')
  })

  it('names missing and unknown inputs; accepts object fields flattened, like bae', async () => {
    const lm = createLm(new MockBackend({ fill: { Think: { thought: 'hm' }, Done: { answer: '42' } }, choose: { Think: 'Done' } }))
    const run = graph(Ask)
    await expect(run({ question: 'q' }, { lm })).rejects.toThrow('Ask requires: user')
    await expect(run({ question: 'q', user: { name: 'D' }, colour: 'red' }, { lm })).rejects.toThrow('Ask has no input colour; it takes: question, user')
    await expect(run({ question: 1 as never, user: { name: 'D' } }, { lm })).rejects.toThrow('input question of Ask is invalid')
    const result = await run({ question: 'q', name: 'Dzara' }, { lm })
    expect(result.trace[0]).toEqual({ question: 'q', user: { name: 'Dzara', city: 'Seattle' } })
    expect(run.name).toBe('Ask')
  })
})

describe('running a graph', () => {
  it('make and decide: the LM chooses, then fills; the trace holds every node in order', async () => {
    const Done = node('Done', { answer: z.string() })
    const Think = node('Think', { thought: z.string() }).to(() => [Think, Done])
    const Start = node('Start', { question: z.string() }).to(() => Think)
    const backend = new MockBackend({ fill: { Think: [{ thought: 'one' }, { thought: 'two' }], Done: { answer: '42' } }, choose: { Think: ['Think', 'Done'] } })
    const result = await graph(Start)({ question: 'why?' }, { lm: createLm(backend) })
    expect(names(result.trace)).toEqual(['Start', 'Think', 'Think', 'Done'])
    expect(result.result).toEqual({ answer: '42' })
    const answer: string | undefined = result.find(Done)?.answer // typed
    expect(answer).toBe('42')
    expect(result.findAll(Think).map((t) => t.thought)).toEqual(['one', 'two'])
    expect(backend.requests.map((r) => `${r.kind} ${r.node}`)).toEqual(['fill Think', 'choose Think', 'fill Think', 'choose Think', 'fill Done'])
  })

  it('decide offers "stop" when null is among the successors, and stopping ends the run there', async () => {
    const More = node('More', { x: z.string() })
    const Maybe = node('Maybe', { q: z.string() }).to(() => [More, null])
    const backend = new MockBackend({ choose: { Maybe: 'stop' } })
    const result = await graph(Maybe)({ q: 'enough?' }, { lm: createLm(backend) })
    expect(names(result.trace)).toEqual(['Maybe'])
    expect(backend.requests[0]!.prompt).toContain('Pick one type: More, stop')
  })

  it('a single successor with no stop needs no choice call', async () => {
    const End = node('End', { a: z.string() })
    const Start = node('Start', {}).to(() => [End])
    const backend = new MockBackend({ fill: { End: { a: 'x' } } })
    await graph(Start)({}, { lm: createLm(backend) })
    expect(backend.requests.map((r) => r.kind)).toEqual(['fill'])
  })

  it('custom logic returns the next node; a partly made one is completed by the LM', async () => {
    const End = node('End', { summary: z.string(), score: z.number() })
    // Logic that makes its own node is attached after the definition (TypeScript cannot infer a
    // node's type from an initializer that refers to itself).
    const Decide = node('Decide', { n: z.number() }).to(() => [End, Decide])
    Decide.run((self, { lm }) => {
      expect(lm).toBeDefined()
      return self.n < 3 ? Decide.make({ n: self.n + 1 }) : End.make({ score: self.n })
    })
    const backend = new MockBackend({ fill: { End: { summary: 'counted to three' } } })
    const result = await graph(Decide)({ n: 1 }, { lm: createLm(backend) })
    expect(names(result.trace)).toEqual(['Decide', 'Decide', 'Decide', 'End'])
    expect(result.result).toEqual({ score: 3, summary: 'counted to three' })
    // The LM saw the field the logic set, as context, and filled only the missing one.
    expect(backend.requests[0]!.prompt).toContain('"score": 3')
  })

  it('custom logic may return only declared successors, and only nodes', async () => {
    const Elsewhere = node('Elsewhere', {})
    const Bad = node('Bad', {})
      .to(() => [])
      .run(() => Elsewhere.make())
    await expect(graph(Bad)({})).rejects.toThrow("Bad's logic returned a Elsewhere, which is not among its successors")
    const Worse = node('Worse', {}).run(() => ({ not: 'a node' }))
    await expect(graph(Worse)({})).rejects.toThrow("Worse's logic returned object, not a node")
  })

  it('effects fire only for the branch taken, after the target is produced', async () => {
    const fired: string[] = []
    const Save = node('Save', { text: z.string() })
    const Discard = node('Discard', { reason: z.string() })
    const Review = node('Review', { draft: z.string() }).to(() => [
      effect(Save, (saved) => void fired.push(`saved ${saved.text}`)),
      effect(Discard, () => void fired.push('discarded'))
    ])
    const lm = createLm(new MockBackend({ choose: { Review: 'Save' }, fill: { Save: { text: 'final' } } }))
    await graph(Review)({ draft: 'd' }, { lm })
    expect(fired).toEqual(['saved final'])
  })

  it('stops at maxIterations with the partial trace; 0 means unlimited', async () => {
    const Count = node('Count', { n: z.number() }).to(() => [Count, null])
    Count.run((self) => (self.n < 25 ? Count.make({ n: self.n + 1 }) : null))
    const error = await graph(Count)({ n: 1 }, { maxIterations: 5 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GraphError)
    expect((error as GraphError).message).toContain('exceeded 5 steps')
    expect((error as GraphError).trace).toHaveLength(5)
    const result = await graph(Count)({ n: 1 }, { maxIterations: 0 })
    expect(result.trace).toHaveLength(25)
  })

  it('asks gates through the hook once per node per run, and keeps defaults without a hook', async () => {
    const End = node('End', {})
    const Loop = node('Loop', { n: z.number(), approve: gate(z.boolean().default(false), 'ship it?') }).to(() => [Loop, End])
    Loop.run((self) => (self.n < 3 ? Loop.make({ n: self.n + 1 }) : End.make()))
    const asked: string[] = []
    const result = await graph(Loop)(
      { n: 1 },
      {
        gate: async ({ node: name, fields }) => {
          asked.push(`${name}: ${fields.map((f) => `${f.name} (${f.description})`).join()}`)
          return { approve: true }
        }
      }
    )
    expect(asked).toEqual(['Loop: approve (ship it?)'])
    expect(result.trace.slice(0, 3).map((n) => n['approve'])).toEqual([true, true, true])
    const withoutHook = await graph(Loop)({ n: 3 })
    expect(withoutHook.trace[0]!['approve']).toBe(false)
  })

  it('asks an everyVisit gate again on each visit (a review loop); keeps defaults without a hook anywhere', async () => {
    const Shipped = node('Shipped', {})
    const Review = node('Review', { round: z.number(), approve: gate(z.boolean().default(false), 'approve?', { everyVisit: true }) }).to(() => [
      Review,
      Shipped
    ])
    Review.run((self) => (self.approve ? Shipped.make() : Review.make({ round: self.round + 1 })))
    const answers = [false, false, true]
    const result = await graph(Review)({ round: 1 }, { gate: async () => ({ approve: answers.shift() }) })
    expect(result.trace.map((n) => n['round'] ?? 'shipped')).toEqual([1, 2, 3, 'shipped'])

    const Later = node('Later', { decision: gate(z.string().default('shelve'), 'publish?') })
    const First = node('First', {}).to(() => [Later])
    First.run(() => Later.make())
    const unhooked = await graph(First)({})
    expect(unhooked.result!['decision']).toBe('shelve')
  })

  it('stops at maxIterations before producing the next node: no fill and no effect past the limit', async () => {
    const fired: number[] = []
    const Loop = node('Loop', { n: z.number() }).to(() => [effect(Loop, (next) => void fired.push(next.n)), null])
    Loop.run((self) => Loop.make({ n: self.n + 1 }))
    await expect(graph(Loop)({ n: 1 }, { maxIterations: 3 })).rejects.toThrow('exceeded 3 steps')
    expect(fired).toEqual([2, 3])
  })

  it('refuses an invalid gate answer', async () => {
    const Ask = node('Ask', { age: gate(z.number(), 'how old?') })
    await expect(graph(Ask)({}, { gate: async () => ({ age: 'old' }) })).rejects.toThrow("the answer to gate 'age' of Ask is invalid")
  })

  it('says clearly when an LM is needed and missing', async () => {
    const End = node('End', { a: z.string() })
    const Start = node('Start', {}).to(() => End)
    await expect(graph(Start)({})).rejects.toThrow('filling End needs an LM, and the run has none')
  })

  it('yields to the event loop during long runs', async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    const Count = node('Count', { n: z.number() }).to(() => [Count, null])
    Count.run(async (self) => {
      const until = performance.now() + 2
      while (performance.now() < until); // 2 ms of synchronous work per step
      return self.n < 30 ? Count.make({ n: self.n + 1 }) : null
    })
    await graph(Count)({ n: 1 }, { maxIterations: 0 })
    clearInterval(timer)
    expect(ticks).toBeGreaterThan(3)
  })
})
