import { describe, expect, it } from 'vitest'
import { OutputPacer, type PacerClock } from './output-pacer'

/** A page clock that moves only when told to: frames every 16 ms, timers at their time. */
class FakeClock implements PacerClock {
  time = 0
  private next = 1
  private readonly frames = new Map<number, () => void>()
  private readonly timers = new Map<number, { at: number; callback: () => void }>()

  now(): number {
    return this.time
  }
  requestFrame(callback: () => void): number {
    this.frames.set(this.next, callback)
    return this.next++
  }
  cancelFrame(handle: number): void {
    this.frames.delete(handle)
  }
  setTimer(callback: () => void, ms: number): number {
    this.timers.set(this.next, { at: this.time + ms, callback })
    return this.next++
  }
  clearTimer(handle: number): void {
    this.timers.delete(handle)
  }

  /** Advances `ms` in frames of 16 ms, firing timers as they come due and frame callbacks on each frame. */
  advance(ms: number): void {
    const end = this.time + ms
    while (this.time < end) {
      this.time = Math.min(end, this.time + 16)
      for (const [handle, timer] of [...this.timers]) {
        if (timer.at > this.time) continue
        this.timers.delete(handle)
        timer.callback()
      }
      const due = [...this.frames.values()]
      this.frames.clear()
      for (const callback of due) callback()
    }
  }
}

describe('OutputPacer', () => {
  it('writes output that comes now and then on the next frame', () => {
    const clock = new FakeClock()
    const pacer = new OutputPacer(50, clock)
    const writes: number[] = []
    pacer.schedule(() => writes.push(clock.now()))
    clock.advance(16)
    expect(writes).toEqual([16])
    clock.advance(200)
    pacer.schedule(() => writes.push(clock.now()))
    clock.advance(16)
    expect(writes).toEqual([16, 232])
  })

  it('writes streaming output at most once per interval, so the frames between redraw only what is typed', () => {
    const clock = new FakeClock()
    const pacer = new OutputPacer(50, clock)
    const writes: number[] = []
    // Output arrives every frame for a second; each write asks for the next one as soon as it is done.
    let pending = false
    const arrive = (): void => {
      if (pending) return
      pending = true
      pacer.schedule(() => {
        pending = false
        writes.push(clock.now())
      })
    }
    for (let t = 0; t < 1000; t += 16) {
      arrive()
      clock.advance(16)
    }
    expect(writes.length).toBeGreaterThan(1000 / 50 / 2)
    expect(writes.length).toBeLessThanOrEqual(1000 / 50 + 1)
    for (let i = 1; i < writes.length; i++) expect(writes[i]! - writes[i - 1]!).toBeGreaterThanOrEqual(50 - 16)
  })

  it('a cancelled write does not happen, whether it waited for the interval or for a frame', () => {
    const clock = new FakeClock()
    const pacer = new OutputPacer(50, clock)
    let written = 0
    pacer.schedule(() => written++)
    clock.advance(16)
    pacer.schedule(() => written++)() // within the interval: waits on a timer
    pacer.schedule(() => written++)
    clock.advance(100)
    expect(written).toBe(2)
    clock.advance(100)
    pacer.schedule(() => written++)() // past the interval: waits for a frame
    clock.advance(100)
    expect(written).toBe(2)
  })
})
