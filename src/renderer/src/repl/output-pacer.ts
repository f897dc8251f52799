/** The clock and frame source the pacer runs on (the page's, by default; a test's fake). */
export interface PacerClock {
  now(): number
  requestFrame(callback: () => void): number
  cancelFrame(handle: number): void
  setTimer(callback: () => void, ms: number): number
  clearTimer(handle: number): void
}

const pageClock: PacerClock = {
  now: () => performance.now(),
  requestFrame: (callback) => requestAnimationFrame(callback),
  cancelFrame: (handle) => cancelAnimationFrame(handle),
  setTimer: (callback, ms) => window.setTimeout(callback, ms),
  clearTimer: (handle) => window.clearTimeout(handle)
}

/** Output streaming in is drawn at most this often (ms): the frames in between are free for keystrokes. */
export const STREAM_INTERVAL_MS = 50

/**
 * When output goes to the terminal. Every write of output makes the next frame redraw the rows it
 * scrolled (with the DOM renderer, a layout and paint of the whole viewport), and a keystroke typed
 * meanwhile is echoed only after that frame. So output that comes now and then is written on the
 * next frame, as before, while output that streams is written at most every `interval` ms, the way
 * terminals throttle redraws under a flood: most frames then redraw nothing but the prompt, and a
 * keystroke's echo is seldom drawn behind a screenful of output.
 */
export class OutputPacer {
  private lastWriteAt = Number.NEGATIVE_INFINITY

  constructor(
    private readonly interval = STREAM_INTERVAL_MS,
    private readonly clock: PacerClock = pageClock
  ) {}

  /** Runs `write` when output may go out next; returns a cancel. */
  schedule(write: () => void): () => void {
    let frame: number | undefined
    let timer: number | undefined
    const onFrame = (): void => {
      frame = undefined
      this.lastWriteAt = this.clock.now()
      write()
    }
    // Written on a frame, as the terminal draws on frames: the timer only waits out the interval.
    const wait = this.lastWriteAt + this.interval - this.clock.now()
    if (wait > FRAME_MS) {
      timer = this.clock.setTimer(() => {
        timer = undefined
        frame = this.clock.requestFrame(onFrame)
      }, wait - FRAME_MS)
    } else frame = this.clock.requestFrame(onFrame)
    return () => {
      if (timer !== undefined) this.clock.clearTimer(timer)
      if (frame !== undefined) this.clock.cancelFrame(frame)
    }
  }
}

/** About one frame at 60 Hz. */
const FRAME_MS = 16
