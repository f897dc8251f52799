/** Measurement helpers for the benchmark child processes. */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Runs `fn` one call after another for at least `minMs` (and at least once); returns ms per call. */
export async function timePerCall(fn: () => Promise<unknown>, minMs: number): Promise<number> {
  let calls = 0
  const started = performance.now()
  for (;;) {
    await fn()
    calls++
    const elapsed = performance.now() - started
    if (elapsed >= minMs) return elapsed / calls
  }
}

export interface LoadStats {
  readonly wallMs: number
  readonly runs: number
  readonly errors: number
  readonly firstError?: string
  /** The process's peak resident set size (getrusage ru_maxrss), whole process lifetime. */
  readonly maxRssMb: number
  /** RSS just before the runs started (modules loaded, graphs built, one warm-up run done). */
  readonly baselineRssMb: number
  /** The largest RSS seen by a 25 ms sampler during the runs (it cannot sample while the loop is blocked). */
  readonly sampledPeakRssMb: number
  /**
   * Event-loop delay (monitorEventLoopDelay, resolution 10 ms), in ms: the histogram records the
   * interval between ticks of a 10 ms timer, so an idle loop shows ~10 and a block of B ms shows
   * as at most B + 10. The max bounds the longest block from above.
   */
  readonly loopDelayMaxMs: number
  readonly loopDelayP99Ms: number
  readonly loopDelayMeanMs: number
  /** The longest gap between the ticks of a plain 10 ms setInterval (a cross-check of the histogram). */
  readonly maxTimerGapMs: number
}

const MB = 1024 * 1024

/** Starts `runs` runs at once, waits for all, and reports wall time, memory and event-loop delay. */
export async function underLoad(runs: number, run: () => Promise<unknown>): Promise<LoadStats> {
  const baselineRss = process.memoryUsage.rss()
  let sampledPeak = baselineRss
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())), 25)
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  // The histogram drops its first interval (it only notes the time): let it tick before the load.
  await sleep(25)
  // A cross-check: the longest gap between the ticks of a plain 10 ms interval.
  let lastTick = performance.now()
  let maxGap = 0
  const ticker = setInterval(() => {
    const now = performance.now()
    maxGap = Math.max(maxGap, now - lastTick)
    lastTick = now
  }, 10)
  const started = performance.now()
  const outcomes = await Promise.allSettled(Array.from({ length: runs }, () => run()))
  const wallMs = performance.now() - started
  // A delay is recorded when the monitor's timer finally fires: give it the chance, or a loop
  // blocked until the very end would record nothing.
  await sleep(25)
  delay.disable()
  clearInterval(sampler)
  clearInterval(ticker)
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())
  const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')
  const first = failures[0]?.reason as { message?: unknown } | undefined
  return {
    wallMs,
    runs,
    errors: failures.length,
    ...(first ? { firstError: String(first.message ?? first) } : {}),
    maxRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    baselineRssMb: baselineRss / MB,
    sampledPeakRssMb: sampledPeak / MB,
    // The histogram is in nanoseconds.
    loopDelayMaxMs: delay.max / 1e6,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayMeanMs: delay.mean / 1e6,
    maxTimerGapMs: maxGap
  }
}

/** The child's answer to the orchestrator: one JSON line on stdout. */
export function report(result: unknown): void {
  process.stdout.write(`\n${JSON.stringify(result)}\n`)
}
