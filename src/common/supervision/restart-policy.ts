/**
 * Decides whether a crashed runtime is restarted on its own: at most `maxRestarts` within
 * `windowMs` (3 in 5 minutes by default). Past that, a crash loop is likely and the user decides.
 */
export class RestartPolicy {
  private restarts: number[] = []

  constructor(
    readonly maxRestarts = 3,
    readonly windowMs = 5 * 60_000,
    private readonly now: () => number = Date.now
  ) {}

  /** Records a crash. True if an automatic restart is allowed now (and counts it). */
  allowRestart(): boolean {
    const t = this.now()
    this.restarts = this.restarts.filter((at) => t - at < this.windowMs)
    if (this.restarts.length >= this.maxRestarts) return false
    this.restarts.push(t)
    return true
  }

  get recentRestarts(): number {
    const t = this.now()
    return this.restarts.filter((at) => t - at < this.windowMs).length
  }

  /** After the user chose to restart: the count starts again. */
  reset(): void {
    this.restarts = []
  }
}
