import type { Disposable } from '../lifecycle'

export interface HeartbeatOptions {
  /** Asks the runtime for a sign of life; resolves when it answers. */
  ping(signal: AbortSignal): Promise<unknown>
  /**
   * Called once when the runtime has not answered for `timeoutMs`: SIGINT, which breaks a
   * synchronous loop inside an evaluation and keeps the namespace. If it answers again, nothing
   * more happens.
   */
  interrupt?(): void
  /** Called once when the runtime is still silent `interruptGraceMs` after the interrupt (or at `timeoutMs` without one). */
  onUnresponsive(silentForMs: number): void
  intervalMs?: number
  timeoutMs?: number
  /**
   * How long the runtime may take to answer its first ping (default 30 s): loading its modules
   * takes about a second, more on a busy machine, and a runtime that is starting is not stuck.
   */
  startupMs?: number
  /** How long after the interrupt the runtime has to answer again (default 2 s). */
  interruptGraceMs?: number
}

/**
 * Watches a runtime's event loop from its host. A runtime busy in synchronous code stops answering
 * pings. If it said it runs an input's synchronous code ({@link blockingRun}), it is computing
 * what the user asked for: it is left to finish, as IPython and
 * Node's REPL do (Ctrl+C interrupts it). Otherwise, after `timeoutMs` (5 s) it is interrupted, and if
 * it is still silent after `interruptGraceMs` (stuck where SIGINT cannot reach it: a timer's or a
 * background task's code) its host is told, to restart it and say what was lost.
 */
export class HeartbeatMonitor implements Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined
  private lastAnswer = Date.now()
  private answered = false
  private interrupted = false
  private inFlight: AbortController | undefined
  private stopped = false
  /** The runtime said it runs an input's synchronous code, and not yet that it ended. */
  private inBlockingRun = false

  constructor(private readonly options: HeartbeatOptions) {
    this.schedule()
  }

  /** The runtime starts (`running`) or ends an input's synchronous code that may run long; either is a sign of life. */
  blockingRun(running: boolean): void {
    this.inBlockingRun = running
    this.lastAnswer = Date.now()
  }

  dispose(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.inFlight?.abort()
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => this.beat(), this.options.intervalMs ?? 1000)
  }

  private beat(): void {
    const timeoutMs = this.answered ? (this.options.timeoutMs ?? 5000) : Math.max(this.options.startupMs ?? 30_000, this.options.timeoutMs ?? 5000)
    // The user's computation: no interrupt, no restart (the clock starts again when it ends).
    const silentFor = this.inBlockingRun ? 0 : Date.now() - this.lastAnswer
    if (silentFor >= timeoutMs && this.options.interrupt && !this.interrupted) {
      this.interrupted = true
      this.options.interrupt()
    }
    const limit = this.options.interrupt ? timeoutMs + (this.options.interruptGraceMs ?? 2000) : timeoutMs
    if (silentFor >= limit) {
      this.dispose()
      this.options.onUnresponsive(silentFor)
      return
    }
    if (!this.inFlight) {
      const controller = new AbortController()
      this.inFlight = controller
      this.options.ping(controller.signal).then(
        () => {
          this.lastAnswer = Date.now()
          this.answered = true
          this.interrupted = false
          if (this.inFlight === controller) this.inFlight = undefined
        },
        () => {
          if (this.inFlight === controller) this.inFlight = undefined
        }
      )
    }
    this.schedule()
  }
}
