import { Emitter } from '../event'
import type { SpanBatch, SpanDto } from '../trace-contract'

/** What changed in a {@link TraceStore}: the spans added or updated (an open span that ended is updated). */
export interface TraceChange {
  readonly spans: readonly SpanDto[]
}

/**
 * The spans a window knows: the runtime's snapshot, then its live batches (and, later, imported
 * files). Order of arrival does not matter: an ended span is never replaced by an older open copy,
 * so a batch that overtakes the snapshot loses nothing. Bounded: past `maxSpans` the oldest ended
 * spans are dropped.
 */
export class TraceStore {
  private readonly byId = new Map<string, SpanDto>()
  private openSpans = 0
  private readonly changes = new Emitter<TraceChange>()
  readonly onDidChange = this.changes.event

  constructor(private readonly maxSpans = 100_000) {}

  get size(): number {
    return this.byId.size
  }

  /** How many spans are open, without a pass over them all. */
  get openCount(): number {
    return this.openSpans
  }

  get(spanId: string): SpanDto | undefined {
    return this.byId.get(spanId)
  }

  /** Every span, in order of arrival. */
  spans(): SpanDto[] {
    return [...this.byId.values()]
  }

  /** The spans still open (a run in progress). */
  open(): SpanDto[] {
    return this.spans().filter((span) => span.endTime === undefined)
  }

  applyBatch(batch: SpanBatch): void {
    this.add([...batch.started, ...batch.ended])
  }

  add(spans: readonly SpanDto[]): void {
    const changed: SpanDto[] = []
    for (const span of spans) {
      const known = this.byId.get(span.spanId)
      if (known?.endTime !== undefined && span.endTime === undefined) continue
      this.openSpans += (span.endTime === undefined ? 1 : 0) - (known && known.endTime === undefined ? 1 : 0)
      // Re-inserted, so that arrival order follows the latest news (and eviction drops the stale first).
      this.byId.delete(span.spanId)
      this.byId.set(span.spanId, span)
      changed.push(span)
    }
    this.evict()
    if (changed.length) this.changes.fire({ spans: changed })
  }

  clear(): void {
    this.byId.clear()
    this.openSpans = 0
    this.changes.fire({ spans: [] })
  }

  private evict(): void {
    if (this.byId.size <= this.maxSpans) return
    for (const [id, span] of this.byId) {
      if (this.byId.size <= this.maxSpans) break
      if (span.endTime !== undefined) this.byId.delete(id)
    }
  }

  dispose(): void {
    this.changes.dispose()
  }
}
