import { afterEach, describe, expect, it, vi } from 'vitest'
import { HeartbeatMonitor } from './heartbeat'

afterEach(() => vi.useRealTimers())

/** A runtime that answers pings while `answering`; a ping sent meanwhile waits, as a message queued to a busy process does. */
function runtime() {
  const waiting: Array<() => void> = []
  const state = {
    set answering(on: boolean) {
      this.on = on
      if (on) waiting.splice(0).forEach((answer) => answer())
    },
    on: false
  }
  const ping = () => (state.on ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve)))
  return { state, ping }
}

/** A monitor (fake timers) of a runtime that answers, with an interrupt: timeout 500 ms, grace 1 s. */
function watchedWithInterrupt() {
  vi.useFakeTimers()
  const { state, ping } = runtime()
  state.answering = true
  const interrupt = vi.fn()
  const unresponsive = vi.fn()
  const monitor = new HeartbeatMonitor({ ping, interrupt, onUnresponsive: unresponsive, intervalMs: 50, timeoutMs: 500, interruptGraceMs: 1000 })
  return { state, interrupt, unresponsive, monitor }
}

describe('HeartbeatMonitor', () => {
  it('gives a starting runtime the startup time, then the normal timeout once it has answered', async () => {
    vi.useFakeTimers()
    const { state, ping } = runtime()
    const unresponsive = vi.fn()
    const monitor = new HeartbeatMonitor({ ping, onUnresponsive: unresponsive, intervalMs: 50, timeoutMs: 500, startupMs: 3000 })
    // Still loading its modules after 2 s: not stuck.
    await vi.advanceTimersByTimeAsync(2000)
    expect(unresponsive).not.toHaveBeenCalled()
    state.answering = true
    await vi.advanceTimersByTimeAsync(200)
    // Now it hangs: the normal timeout applies.
    state.answering = false
    await vi.advanceTimersByTimeAsync(400)
    expect(unresponsive).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(300)
    expect(unresponsive).toHaveBeenCalledOnce()
    monitor.dispose()
  })

  it('reports a runtime that never answers once the startup time is over', async () => {
    vi.useFakeTimers()
    const unresponsive = vi.fn()
    const monitor = new HeartbeatMonitor({ ping: runtime().ping, onUnresponsive: unresponsive, intervalMs: 50, timeoutMs: 500, startupMs: 3000 })
    await vi.advanceTimersByTimeAsync(2900)
    expect(unresponsive).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(200)
    expect(unresponsive).toHaveBeenCalledOnce()
    expect(unresponsive.mock.calls[0]![0]).toBeGreaterThanOrEqual(3000)
    monitor.dispose()
  })

  it("leaves a runtime silent in an input's synchronous code to finish: no interrupt, no restart; the timeout applies again after", async () => {
    const { state, interrupt, unresponsive, monitor } = watchedWithInterrupt()
    await vi.advanceTimersByTimeAsync(200)
    // The user's computation: 10 s of silence.
    monitor.blockingRun(true)
    state.answering = false
    await vi.advanceTimersByTimeAsync(10_000)
    expect(interrupt).not.toHaveBeenCalled()
    expect(unresponsive).not.toHaveBeenCalled()
    // It ends, and the runtime hangs elsewhere (a timer's code): the timeout runs from the end.
    monitor.blockingRun(false)
    await vi.advanceTimersByTimeAsync(400)
    expect(interrupt).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(200)
    expect(interrupt).toHaveBeenCalledOnce()
    await vi.advanceTimersByTimeAsync(1000)
    expect(unresponsive).toHaveBeenCalledOnce()
    monitor.dispose()
  })

  it('interrupts a silent runtime first, and reports it only if it stays silent after the grace', async () => {
    const { state, interrupt, unresponsive, monitor } = watchedWithInterrupt()
    await vi.advanceTimersByTimeAsync(200)
    state.answering = false
    await vi.advanceTimersByTimeAsync(600)
    expect(interrupt).toHaveBeenCalledOnce()
    expect(unresponsive).not.toHaveBeenCalled()
    // The interrupt broke the loop: it answers again, and nothing more happens.
    state.answering = true
    await vi.advanceTimersByTimeAsync(2000)
    expect(unresponsive).not.toHaveBeenCalled()
    // Silent again later: a new interrupt; this time it stays silent, so it is reported.
    state.answering = false
    await vi.advanceTimersByTimeAsync(700)
    expect(interrupt).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(1000)
    expect(unresponsive).toHaveBeenCalledOnce()
    monitor.dispose()
  })
})
