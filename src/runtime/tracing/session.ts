import type { SpanBatchInput, SpanDto } from '../../common/trace-contract'
import { fromWire, unpackSpans } from '../../common/trace/packed'
import { serializeTraceFile } from '../../common/trace/detect'
import { redactSpans } from '../../common/trace/redact'
import { DEFAULT_EXPORT_RATIO, redaction, Tracing, type CollectorOptions, type TimelineProcessor } from './sdk'

export type TraceFileFormat = 'otlp-jsonl' | 'otlp-json'

/** Spans kept across switching tracing off and on again (the oldest go first). */
const KEPT_WHEN_OFF = 100_000

/** Which spans to export: whole traces, span subtrees (a graph run), or, with neither, everything recorded. */
export interface SpanSelection {
  traceIds?: readonly string[]
  spanIds?: readonly string[]
}

export interface TraceSessionOptions {
  /** Tracing at start (the app: on unless CORTEX_TRACING=off). */
  enabled: boolean
  /** The live feed. */
  onBatch: (batch: SpanBatchInput) => void
  collector?: CollectorOptions | undefined
  /** Values that never leave the runtime, to a window, a file or a collector (secret-named variables: see secretValues). */
  secrets?: () => readonly string[]
}

/**
 * The runtime's tracing as the user sees it: on or off, the spans recorded this session, what the
 * collector is sent, and trace files. Switching off unregisters the SDK: no spans are created.
 * Files and the collector get spans fully redacted. Windows (feed, snapshot) are local and get
 * every span, fast: only a span holding the value of a secret-named variable (the API key in the
 * environment, say) is redacted on its way there, so that value never reaches a renderer.
 */
export class TraceSession {
  private tracing: Tracing | undefined
  /** The timelines of earlier times tracing was on, oldest first: still exportable (kept as recorded, compact). */
  private earlier: TimelineProcessor[] = []

  constructor(private readonly options: TraceSessionOptions) {
    if (options.enabled) this.start()
  }

  get enabled(): boolean {
    return this.tracing !== undefined
  }

  start(): void {
    const { collector, secrets, onBatch } = this.options
    this.tracing ??= Tracing.start({
      timeline: { onBatch: (batch) => onBatch(this.guardBatch(batch)) },
      ...(collector ? { collector: { ...collector, ...(secrets ? { secrets } : {}) } } : {})
    })
  }

  async stop(): Promise<void> {
    const tracing = this.tracing
    if (!tracing) return
    this.tracing = undefined
    await tracing.stop()
    this.earlier.push(tracing.timeline)
    // Kept as bounded as one timeline's own store: the oldest spans go first.
    let excess = this.earlier.reduce((sum, timeline) => sum + timeline.size, 0) - KEPT_WHEN_OFF
    while (excess > 0) {
      const oldest = this.earlier[0]!
      if (oldest.size <= excess) {
        excess -= oldest.size
        this.earlier.shift()
      } else {
        oldest.evict(excess)
        excess = 0
      }
    }
  }

  /** Every span of this session, finished ones first (as recorded: redact before they leave). */
  spans(): SpanDto[] {
    return [...this.earlier.flatMap((timeline) => timeline.spans()), ...(this.tracing?.timeline.spans() ?? [])]
  }

  /** The latest `limit` spans, redacted, for a window that connects; and how many older ones it does not get. */
  snapshot(limit: number): { enabled: boolean; spans: SpanDto[]; truncated: number } {
    const spans = this.spans()
    return { enabled: this.enabled, spans: this.guard(spans.slice(-limit)), truncated: Math.max(0, spans.length - limit) }
  }

  /**
   * A feed batch with no secret value in it: the objects its packed spans refer to are scanned (each
   * once); if one holds a secret, those spans go unpacked, redacted.
   */
  private guardBatch(batch: SpanBatchInput): SpanBatchInput {
    const secrets = this.options.secrets?.() ?? []
    if (!secrets.length) return batch
    const started = this.guard(batch.started)
    const { packed } = batch
    if (!packed || !packed.refs.some((ref) => containsAny(ref, secrets))) return { ...batch, started }
    return { started, ended: this.guard([...batch.ended, ...unpackSpans(fromWire(packed))]) }
  }

  /** The spans, with those that contain a secret value redacted (a scan for the values, not the full rules). */
  private guard(spans: SpanDto[]): SpanDto[] {
    const secrets = this.options.secrets?.() ?? []
    if (!secrets.length) return spans
    return spans.map((span) => (holdsAny(span, secrets) ? this.redact([span])[0]! : span))
  }

  private redact(spans: readonly SpanDto[]): SpanDto[] {
    if (!spans.length) return []
    return redactSpans(spans, redaction(this.options.secrets?.() ?? []))
  }

  /** The share of traces the collector gets; 1 while debugging sends everything. */
  setExportRatio(ratio: number): void {
    const collector = this.tracing?.collector
    if (!collector) throw new Error('no collector is configured: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://localhost:4318) before starting Cortex')
    collector.ratio = Math.min(1, Math.max(0, ratio))
    if (this.options.collector) this.options.collector.ratio = collector.ratio
  }

  /**
   * A trace file of the selected spans. Finished spans only (an open span has no end to write);
   * secrets are redacted whatever the selection; LM content is kept, so the file can drive a replay.
   */
  exportFile(format: TraceFileFormat, selection: SpanSelection = {}): { text: string; spans: number; open: number } {
    const selected = select(this.spans(), selection)
    const finished = selected.filter((span) => span.endTime !== undefined)
    return { text: serializeTraceFile(this.redact(finished), format), spans: finished.length, open: selected.length - finished.length }
  }

  status(): string {
    const spans = this.spans()
    const traces = new Set(spans.map((span) => span.traceId)).size
    const collector = this.tracing?.collector
    const lines = [
      `tracing ${this.enabled ? 'on' : 'off'}: ${spans.length} spans in ${traces} traces recorded this session`,
      this.options.collector
        ? `collector ${this.options.collector.url}: ${Math.round((collector?.ratio ?? this.options.collector.ratio) * 100)} % of traces sent, LM content ${this.options.collector.captureContent ? 'included' : 'left out'}`
        : `no collector (set OTEL_EXPORTER_OTLP_ENDPOINT to send traces to one; ${Math.round(DEFAULT_EXPORT_RATIO * 100)} % sampled by default)`
    ]
    return lines.join('\n')
  }

  async flush(): Promise<void> {
    await this.tracing?.flush()
  }

  async shutdown(): Promise<void> {
    await this.stop()
  }
}

/** The spans of the selected traces and of the subtrees under the selected spans. */
export function select(spans: readonly SpanDto[], selection: SpanSelection): SpanDto[] {
  const { traceIds, spanIds } = selection
  if (!traceIds?.length && !spanIds?.length) return [...spans]
  const traces = new Set(traceIds)
  const chosen = new Set(spanIds)
  const children = new Map<string, SpanDto[]>()
  for (const span of spans) {
    if (!span.parentSpanId) continue
    const siblings = children.get(span.parentSpanId)
    if (siblings) siblings.push(span)
    else children.set(span.parentSpanId, [span])
  }
  const queue = spans.filter((span) => chosen.has(span.spanId))
  for (let i = 0; i < queue.length; i++) {
    for (const child of children.get(queue[i]!.spanId) ?? []) {
      if (chosen.has(child.spanId)) continue
      chosen.add(child.spanId)
      queue.push(child)
    }
  }
  return spans.filter((span) => traces.has(span.traceId) || chosen.has(span.spanId))
}

/** Whether any string in `value` (itself, or in its arrays and objects) contains one of `values`. */
function containsAny(value: unknown, values: readonly string[]): boolean {
  if (typeof value === 'string') return values.some((secret) => value.includes(secret))
  if (Array.isArray(value)) return value.some((item) => containsAny(item, values))
  if (value !== null && typeof value === 'object') return Object.values(value).some((item) => containsAny(item, values))
  return false
}

/** Whether any text of the span (name, attributes, events, status) contains one of `values`. */
function holdsAny(span: SpanDto, values: readonly string[]): boolean {
  const found = (value: unknown) => containsAny(value, values)
  return found(span.name) || found(span.attributes) || found(span.status.message) || span.events.some((event) => found(event.name) || found(event.attributes))
}
