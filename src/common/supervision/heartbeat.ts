import type { Disposable } from '../lifecycle'

export interface HeartbeatOptions {
  /** Asks the runtime for a sign of life; resolves when it answers. */
  ping(signal: AbortSignal): Promise<unknown>
  /** Called once when the runtime has not answered for `timeoutMs`. */
  onUnresponsive(silentForMs: number): void
  intervalMs?: number
  timeoutMs?: number
  /**
   * How long the runtime may take to answer its first ping (default 30 s): loading its modules
   * takes about a second, more on a busy machine, and a runtime that is starting is not stuck.
   */
  startupMs?: number
}

/**
 * Watches a runtime's event loop from its host: a runtime stuck in synchronous code (a loop
 * outside an evaluation, where SIGINT cannot reach it) stops answering pings, and after
 * `timeoutMs` (5 s) its host is told, to restart it and say what was lost.
 */
export class HeartbeatMonitor implements Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined
  private lastAnswer = Date.now()
  private answered = false
  private inFlight: AbortController | undefined
  private stopped = false

  constructor(private readonly options: HeartbeatOptions) {
    this.schedule()
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
    const silentFor = Date.now() - this.lastAnswer
    if (silentFor >= timeoutMs) {
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
