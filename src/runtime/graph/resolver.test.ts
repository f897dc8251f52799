import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createLm, MockBackend } from '../lm'
import { DepError, FillError, GraphCancelledError, RecallError } from './errors'
import { graph } from './graph'
import { dep, recall } from './markers'
import { node, nodeOf } from './node'

/** A dep that takes `ms`, logs start and end, and honours its signal (records aborts). */
function timedDep(name: string, ms: number, log: string[], value: string = name) {
  return dep(z.string(), async (_inputs, { signal }) => {
    log.push(`start ${name}`)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        log.push(`aborted ${name}`)
        reject(signal.reason)
      })
    })
    log.push(`end ${name}`)
    return value
  }).named(name)
}

describe('dependencies', () => {
  it('resolve concurrently: two 100 ms deps overlap', async () => {
    const log: string[] = []
    const Start = node('Start', { a: timedDep('a', 100, log), b: timedDep('b', 100, log) })
    const result = await graph(Start)({})
    // Both started before either ended: they ran at the same time.
    expect(log).toEqual(['start a', 'start b', 'end a', 'end b'])
    expect(result.trace[0]).toEqual({ a: 'a', b: 'b' })
  })

  it('chain: a dep runs after the deps it takes, level by level', async () => {
    const log: string[] = []
    const location = timedDep('location', 20, log, 'Seattle')
    const schedule = timedDep('schedule', 5, log, 'standup')
    const weather = dep(z.string(), { location }, ({ location }) => {
      log.push('weather')
      return `rain in ${location}`
    }).named('weather')
    const Day = node('Day', { weather, schedule, location })
    const result = await graph(Day)({})
    expect(log).toEqual(['start location', 'start schedule', 'end schedule', 'end location', 'weather'])
    expect(result.trace[0]).toEqual({ weather: 'rain in Seattle', schedule: 'standup', location: 'Seattle' })
  })

  it('pitfall-14 run at most once per run, shared by every node and dep that uses them, and again on the next run', async () => {
    let calls = 0
    const shared = dep(z.object({ id: z.number() }), () => ({ id: ++calls }))
    const derived = dep(z.number(), { shared }, ({ shared }) => shared.id * 10)
    const End = node('End', { again: shared, derived })
    const Start = node('Start', { shared }).to(() => End)
    const run = graph(Start)
    const result = await run({}, { lm: createLm(new MockBackend({})) })
    expect(calls).toBe(1)
    expect(result.trace[1]!['again']).toBe(result.trace[0]!['shared']) // the same object
    await run({}, { lm: createLm(new MockBackend({})) })
    expect(calls).toBe(2) // a new run, a new cache
  })

  it('can be pre-seeded per run (depCache)', async () => {
    const now = dep(z.string(), () => 'real clock')
    const Start = node('Start', { now })
    const result = await graph(Start)({}, { depCache: new Map([[now, 'frozen']]) })
    expect(result.trace[0]!['now']).toBe('frozen')
  })

  it('validate their output against their schema', async () => {
    const bad = dep(z.number(), function countThings() {
      return 'many' as unknown as number
    })
    const error = await graph(node('Start', { n: bad }))({}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DepError)
    expect((error as DepError).message).toContain('countThings returned a value its output schema rejects')
  })

  it('a throwing dep is a DepError with its cause, the node, the step and the partial trace', async () => {
    const boom = dep(z.string(), function loadCalendar() {
      throw new Error('ENOENT: today.ics')
    })
    const Plan = node('Plan', { calendar: boom })
    const Start = node('Start', { q: z.string() }).to(() => Plan)
    const error = (await graph(Start)({ q: 'x' }, { lm: createLm(new MockBackend({})) }).catch((e: unknown) => e)) as DepError
    expect(error).toBeInstanceOf(DepError)
    expect(error.dep).toBe('loadCalendar')
    expect((error.cause as Error).message).toBe('ENOENT: today.ics')
    expect(error.message).toBe('loadCalendar failed on Plan: ENOENT: today.ics (at Start, step 1)')
    expect(error.trace.map((n) => nodeOf(n)!.name)).toEqual(['Start'])
  })

  it('pitfall-04 when one fails, its siblings are aborted and nothing keeps running', async () => {
    const log: string[] = []
    const failing = dep(z.string(), async function failing() {
      await new Promise((r) => setTimeout(r, 20))
      throw new Error('down')
    })
    const Start = node('Start', { slow: timedDep('slow', 5_000, log), other: timedDep('other', 5_000, log), failing })
    const started = performance.now()
    await expect(graph(Start)({})).rejects.toThrow('failing failed on Start: down')
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(log).toEqual(['start slow', 'start other', 'aborted slow', 'aborted other'])
    await new Promise((r) => setTimeout(r, 50))
    expect(log).not.toContain('end slow')
  })
})

describe('cancellation', () => {
  it('aborting a run aborts its pending deps and LM calls, and reports the partial trace', async () => {
    const log: string[] = []
    const backend = new MockBackend({ fill: { Slow: { x: 'never' } }, delayMs: 5_000 })
    const Slow = node('Slow', { x: z.string(), wait: timedDep('wait', 10, log) })
    const Start = node('Start', { pending: timedDep('pending', 5_000, log) }).to(() => Slow)
    const controller = new AbortController()
    const run = graph(Start)({}, { lm: createLm(backend), signal: controller.signal })
    await new Promise((r) => setTimeout(r, 20))
    controller.abort()
    const error = await run.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GraphCancelledError)
    expect(log).toEqual(['start pending', 'aborted pending'])

    // Abort again while the LM call is in flight.
    const second = new AbortController()
    const Quick = node('Quick', {}).to(() => Slow)
    const pending = graph(Quick)({}, { lm: createLm(backend), signal: second.signal })
    await new Promise((r) => setTimeout(r, 40))
    expect(backend.inFlight).toBe(1)
    second.abort()
    const cancelled = (await pending.catch((e: unknown) => e)) as GraphCancelledError
    expect(cancelled).toBeInstanceOf(GraphCancelledError)
    expect(backend.inFlight).toBe(0)
    expect(cancelled.trace.map((n) => nodeOf(n)!.name)).toEqual(['Quick'])
  })
})

describe('nodes as dependencies', () => {
  it('are filled by the LM from their own deps and recalls, concurrently, and stay out of the trace', async () => {
    const User = z.object({ name: z.string() })
    const Background = node('Background', { user: recall(User), job: z.string() })
    const Personality = node('Personality', { user: recall(User), mbti: z.string() })
    const Wardrobe = node('Wardrobe', { background: Background, personality: Personality, tops: z.array(z.string()) })
    const Outfit = node('Outfit', { wardrobe: Wardrobe, top: z.string() })
    const Start = node('Start', { user: User }).to(() => Outfit)
    let active = 0
    let maxActive = 0
    const backend = new MockBackend({
      delayMs: 30,
      fill: {
        Background: () => ((maxActive = Math.max(maxActive, ++active)), { job: 'engineer' }),
        Personality: () => ((maxActive = Math.max(maxActive, ++active)), { mbti: 'INTJ' }),
        Wardrobe: () => ({ tops: ['sweater'] }),
        Outfit: { top: 'sweater' }
      }
    })
    // Count overlap by when each call starts relative to the others finishing.
    const result = await graph(Start)({ user: { name: 'Dzara' } }, { lm: createLm(backend) })
    expect(result.trace.map((n) => nodeOf(n)!.name)).toEqual(['Start', 'Outfit'])
    const order = backend.requests.map((r) => r.node)
    expect(order.slice(0, 2).sort()).toEqual(['Background', 'Personality'])
    expect(order.slice(2)).toEqual(['Wardrobe', 'Outfit'])
    expect(maxActive).toBe(2)
    const wardrobe = result.result!['wardrobe'] as Record<string, unknown>
    expect(wardrobe['background']).toEqual({ user: { name: 'Dzara' }, job: 'engineer' })
    // The sub-node's context reached the LM.
    expect(backend.requests[0]!.prompt).toContain('"name": "Dzara"')
  })
})

describe('recall', () => {
  it('takes the most recent node of a kind, or the latest plain field declared with a schema', async () => {
    const Mood = z.string().describe('how the user feels')
    const Check = node('Check', { mood: Mood })
    const End = node('End', { lastCheck: recall(Check), lastMood: recall(Mood) })
    const Start = node('Start', { n: z.number() }).to(() => Check)
    const CheckLoop = Check.to(() => [Check, End])
    expect(CheckLoop).toBe(Check)
    const backend = new MockBackend({ fill: { Check: [{ mood: 'tired' }, { mood: 'awake' }] }, choose: { Check: ['Check', 'End'] } })
    const result = await graph(Start)({ n: 1 }, { lm: createLm(backend) })
    const end = result.result!
    expect((end['lastCheck'] as Record<string, unknown>)['mood']).toBe('awake')
    expect(end['lastMood']).toBe('awake')
  })

  it('fails with a RecallError when nothing matches', async () => {
    const Missing = node('Missing', {})
    const End = node('End', { gone: recall(Missing) })
    const Start = node('Start', {}).to(() => End)
    const error = await graph(Start)({}, { lm: createLm(new MockBackend({})) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RecallError)
    expect((error as Error).message).toContain('nothing to recall for Missing')
  })
})

describe('LM answers', () => {
  it('that are not JSON, or have the wrong shape, are FillErrors naming node and field', async () => {
    const End = node('End', { inspo: z.array(z.url()) })
    const Start = node('Start', {}).to(() => End)
    const notJson = await graph(Start)({}, { lm: createLm(new MockBackend({ fill: { End: 'Sure! Here is your outfit' } })) }).catch((e: unknown) => e)
    expect(notJson).toBeInstanceOf(FillError)
    expect((notJson as FillError).message).toContain('End: the answer is not JSON')
    const wrong = (await graph(Start)({}, { lm: createLm(new MockBackend({ fill: { End: { inspo: ['not a url'] } } })) }).catch((e: unknown) => e)) as FillError
    expect(wrong).toBeInstanceOf(FillError)
    expect(wrong.target).toBe('End')
    expect(wrong.field).toBe('inspo.0')
    expect(wrong.attempts).toBe(1)
    expect(wrong.message).toMatch(/^End\.inspo\.0: Invalid URL/)
  })

  it('are retried with the validation errors fed back, when retries are allowed', async () => {
    const End = node('End', { n: z.number() })
    const Start = node('Start', {}).to(() => End)
    const backend = new MockBackend({ fill: { End: [{ n: 'five' }, { n: 5 }] } })
    const result = await graph(Start)({}, { lm: createLm(backend, { retries: 1 }) })
    expect(result.result).toEqual({ n: 5 })
    expect(backend.requests[1]!.prompt).toContain('Your previous answer was invalid:\n- n: Invalid input: expected number, received string')
    const failing = new MockBackend({ fill: { End: { n: 'five' } } })
    const error = (await graph(Start)({}, { lm: createLm(failing, { retries: 2 }) }).catch((e: unknown) => e)) as FillError
    expect(error.attempts).toBe(3)
    expect(failing.requests).toHaveLength(3)
  })
})
