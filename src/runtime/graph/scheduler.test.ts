import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { graph } from './graph'
import { node } from './node'

/** The longest the event loop went without running a 5 ms interval timer, while `work` ran. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 5)
  await work()
  await new Promise((r) => setTimeout(r, 20))
  clearInterval(timer)
  return longest
}

describe('time slicing', () => {
  it('many concurrent runs of instant steps leave the event loop responsive', async () => {
    const Step = node('Step', { n: z.number() }).to(() => [Step, null])
    Step.run((self) => {
      const until = performance.now() + 0.05 // 50 µs of synchronous work per step
      while (performance.now() < until);
      return self.n < 100 ? Step.make({ n: self.n + 1 }) : null
    })
    const run = graph(Step)
    let completed = 0
    // 300 runs × 100 steps × 50 µs = 1.5 s of work in all: without slicing, one long stall.
    const stall = await longestStall(async () => {
      const results = await Promise.all(Array.from({ length: 300 }, () => run({ n: 1 }, { maxIterations: 0 })))
      completed = results.filter((r) => r.trace.length === 100).length
    })
    expect(completed).toBe(300)
    expect(stall).toBeLessThan(250) // typically 20–50 ms; about 2.7 s without slicing
  })
})
