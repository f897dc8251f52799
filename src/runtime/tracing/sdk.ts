/**
 * The one place the OpenTelemetry SDK is wired (the rest of the runtime speaks `@opentelemetry/api`
 * only, through tracer.ts). It records every span for the in-app timeline, streams span starts and
 * ends as DTO batches, keeps finished spans (bounded) for export, and, when a collector is
 * configured, sends a sampled, redacted copy over OTLP HTTP.
 *
 * Tracing off means no provider at all: the API's no-op tracer creates no spans (pitfall 11).
 */
import { context, diag, propagation, trace } from '@opentelemetry/api'
import type * as OtelCore from '@opentelemetry/core'
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http'
import type { ExportResult } from '@opentelemetry/core'
import type * as OtelResources from '@opentelemetry/resources'
import type * as OtelTraceBase from '@opentelemetry/sdk-trace-base'
import type { BatchSpanProcessor, ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base'
import type * as OtelTraceNode from '@opentelemetry/sdk-trace-node'
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { EMPTY_CONTEXT, runInContext, SharedContextManager } from '../engine/async-context'
import { lazyModule } from '../lazy-module'
import type { SpanBatchInput, SpanDto } from '../../common/trace-contract'
import { redactSpans, type RedactOptions } from '../../common/trace/redact'
import { DEFAULT_LIMITS, RandomIdGenerator, RecordingSpan, RecordingTracer, type Limits } from './span'
import { SpanStore, toSpanDto } from './span-store'
import { CONTENT_ATTRIBUTES, takeExtras, tracerProviderChanged, type SpanExtras } from './tracer'

// The SDK's modules load when tracing first starts: about 50 ms of a runtime's start, which the
// pipe mode (no timeline: it traces only when asked) need not pay.
const otelCore = lazyModule<typeof OtelCore>('@opentelemetry/core')
const otelResources = lazyModule<typeof OtelResources>('@opentelemetry/resources')
const otelTraceBase = lazyModule<typeof OtelTraceBase>('@opentelemetry/sdk-trace-base')
const otelTraceNode = lazyModule<typeof OtelTraceNode>('@opentelemetry/sdk-trace-node')
const otlpHttp = lazyModule<typeof OtlpHttp>('@opentelemetry/exporter-trace-otlp-http')

export interface TimelineOptions {
  /** Receives the live feed: spans started and ended since the last batch. */
  onBatch?: (batch: SpanBatchInput) => void
  /** How long spans are gathered before a batch goes out. */
  batchMs?: number
  /** Told of every span as it ends, with its DTO made on demand (the collector's copy comes from it). */
  onEnded?: (span: ReadableSpan, dto: () => SpanDto) => void
  /** Bounds of the finished spans kept for export; the oldest go first. */
  maxSpans?: number
  maxBytes?: number
}

/** Ended spans that wait for the store at most (see TimelineProcessor `ended`): a loop that ends many in one turn keeps its memory bounded. */
const MAX_UNSTORED = 128

/**
 * Records every span for the timeline. The traced code only pays for noting a span open and, when
 * it ends, for queuing it; it is written into the store's columns (span-store.ts) a turn of the
 * event loop later. A batch sends ended spans packed,
 * as the store has them; DTOs are made when a snapshot or an export asks. Open spans are converted
 * when a batch goes out, with what they hold by then; batches go out on a timer, so tracing never waits for a window.
 */
export class TimelineProcessor implements SpanProcessor {
  /**
   * Spans started and not ended, in the order they started (converted when asked for). An array, not
   * a Map or Set: a hash table that young spans come and go through made every scavenge of the
   * young generation four times longer (measured: 0.9 → 3.8 ms each), most of a span's cost. An
   * ended span leaves a hole (undefined) rather than moving the ones after it: concurrent siblings
   * end in about the order they started, each moving all the others.
   */
  private readonly open: Array<ReadableSpan | undefined> = []
  /** Holes in `open`; the place of the last span that ended (its sibling is likely next to it). */
  private holes = 0
  private lastEnded = -1
  /**
   * The number of each open span's start, in step with `open`. A batch sends the open spans started
   * since the one before; no list of started spans is kept for it: a span held until the batch
   * goes out (up to 50 ms) lives through scavenges with all its parts, which tripled their cost.
   */
  private readonly openNumbers: number[] = []
  /** Starts so far, and the first one no batch has looked at. */
  private starts = 0
  private startsSent = 0
  /** The finished spans. */
  private readonly store: SpanStore
  /**
   * Spans that ended and are not in the store yet, with what they were handed (dep events, later
   * attributes: tracer.ts) and their start readings. They
   * are written when the event loop next gets a turn (setImmediate), when anything reads the
   * timeline, or once MAX_UNSTORED wait, whichever comes first. Writing a span (its columns, its
   * events' times) is most of what recording costs after the span itself; done then, it happens
   * while a run waits for its model or its I/O rather than in the run's own time (pitfall 11). A
   * turn later, not at the next batch: a span held for 50 ms lives through scavenges (see `open`).
   */
  private readonly ended: ReadableSpan[] = []
  private readonly endedExtras: Array<SpanExtras | undefined> = []
  private readonly endedAt: number[] = []
  private storing: ReturnType<typeof setImmediate> | undefined
  /** With a collector (`onEnded`): each stored span's number in the store, for its DTO. */
  private readonly numbers = new WeakMap<ReadableSpan, number>()
  /** Finished spans from this number on have not been sent in a batch. */
  private sentUpTo = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly batchMs: number
  /** Once closed (tracing switched off): the spans open then, as they were; nothing more is recorded. */
  private openWhenClosed: SpanDto[] | undefined

  constructor(private readonly options: TimelineOptions = {}) {
    this.batchMs = options.batchMs ?? 50
    this.store = new SpanStore(options.maxSpans ?? 100_000, options.maxBytes ?? 256 * 1024 * 1024)
  }

  /** Spans dropped from the store to keep it bounded (they were sent live, but can no longer be exported). */
  get evicted(): number {
    this.settle()
    return this.store.evicted
  }

  onStart(span: Span): void {
    if (this.openWhenClosed) return
    this.open.push(span)
    this.openNumbers.push(this.starts++)
    if (this.options.onBatch) this.schedule()
  }

  onEnd(span: ReadableSpan): void {
    const extras = takeExtras(span)
    if (this.openWhenClosed) return
    // Spans mostly end in the reverse order they started: the search from the end is short.
    const at = this.openIndexOf(span)
    if (at >= 0) this.closeOpen(at)
    // performance.now() when the span started, to place its dep events (read on that clock): the
    // span's own reading, else worked out from its duration (which places them a little early).
    this.endedAt.push(extras?.deps ? ((span as Partial<RecordingSpan>).startedAt ?? performance.now() - (span.duration[0] * 1e3 + span.duration[1] / 1e6)) : 0)
    this.ended.push(span)
    this.endedExtras.push(extras)
    if (this.ended.length >= MAX_UNSTORED) this.settle()
    else this.storing ??= runInContext(EMPTY_CONTEXT, () => setImmediate(this.settleNow))
    if (this.options.onBatch) this.schedule()
    this.options.onEnded?.(span, () => {
      this.settle()
      const number = this.numbers.get(span)
      if (number === undefined) throw new Error(`span ${span.name} is not in the timeline`)
      return this.store.dto(number)
    })
  }

  private readonly settleNow = (): void => this.settle()
  private readonly flushNow = (): void => this.flush()

  /** Writes the spans that ended into the store (see `ended`), in the order they ended. */
  private settle(): void {
    if (this.storing === undefined && this.ended.length === 0) return
    clearImmediate(this.storing)
    this.storing = undefined
    const { ended, endedExtras, endedAt } = this
    const count = ended.length
    try {
      for (let i = 0; i < count; i++) {
        const span = ended[i]!
        try {
          const extras = endedExtras[i]
          if (extras?.later && span instanceof RecordingSpan) span.setLater(extras.later)
          const number = this.store.add(span, extras?.deps, endedAt[i]!)
          if (this.options.onEnded) this.numbers.set(span, number)
        } catch (error) {
          // A span the store cannot take (another tracer's, malformed) is left out, and the rest kept.
          diag.error(`the timeline left out span ${span.name}: ${error instanceof Error ? error.message : String(error)}`)
        }
      }
    } finally {
      ended.length = endedExtras.length = endedAt.length = 0
    }
  }

  /** Where `span` is in `open`: the last (nested spans end innermost first), next to the span that ended before it, or anywhere. */
  private openIndexOf(span: ReadableSpan): number {
    const last = this.open.length - 1
    if (this.open[last] === span) return last
    if (this.open[this.lastEnded + 1] === span) return this.lastEnded + 1
    return this.open.lastIndexOf(span)
  }

  /** Leaves a hole for the open span at `at`; holes at the end go at once, the rest when they are most of the list. */
  private closeOpen(at: number): void {
    const { open, openNumbers } = this
    open[at] = undefined
    this.holes++
    this.lastEnded = at
    while (open.length > 0 && open[open.length - 1] === undefined) {
      open.pop()
      openNumbers.pop()
      this.holes--
    }
    if (this.holes <= 32 || this.holes * 2 <= open.length) return
    let kept = 0
    for (let i = 0; i < open.length; i++) {
      if (open[i] === undefined) continue
      open[kept] = open[i]
      openNumbers[kept++] = openNumbers[i]!
    }
    open.length = openNumbers.length = kept
    this.holes = 0
    this.lastEnded = -1
  }

  /** The spans open now, in the order they started. */
  private openSpans(): ReadableSpan[] {
    return this.open.filter((span) => span !== undefined)
  }

  /** How many spans the store holds (finished and open). */
  get size(): number {
    this.settle()
    return this.store.size + (this.openWhenClosed?.length ?? this.open.length - this.holes)
  }

  /** Drops the oldest `extra` finished spans. */
  evict(extra: number): void {
    this.settle()
    this.store.evict(extra)
  }

  /** Every span known: finished ones (oldest first), then those still open. */
  spans(): SpanDto[] {
    this.settle()
    const spans = this.store.dtos(0)
    if (this.openWhenClosed) spans.push(...this.openWhenClosed)
    else for (const span of this.openSpans()) spans.push(toSpanDto(span, true))
    return spans
  }

  private schedule(): void {
    if (this.timer) return
    // Outside the traced code's context: a timer keeps the context it was made in (the run's open
    // spans, with all their events) alive until it fires, long enough for the GC to copy it all.
    // The batch goes out on the turn after the timer's (setImmediate): a timer due with a run's own
    // (its model's answer, say) would otherwise run first and hold the run up; a turn later, the run
    // has gone on to its next wait.
    this.timer = runInContext(EMPTY_CONTEXT, () => setTimeout(() => setImmediate(this.flushNow), this.batchMs))
    // A pending batch never keeps the process alive.
    this.timer.unref?.()
  }

  /** Sends what is waiting now. A span that started and ended within one batch is sent once, as ended. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.settle()
    // Without a listener there is nothing to convert.
    if (!this.options.onBatch) {
      this.sentUpTo = this.store.next
      this.startsSent = this.starts
    }
    if (this.startsSent === this.starts && this.sentUpTo === this.store.next) return
    const started: SpanDto[] = []
    for (let i = 0; i < this.open.length; i++) {
      const span = this.open[i]
      if (span && this.openNumbers[i]! >= this.startsSent) started.push(toSpanDto(span, true))
    }
    this.startsSent = this.starts
    // Ended spans go packed, as the store keeps them: no DTO is made for them here.
    const batch: SpanBatchInput = { started, ended: [] }
    if (this.sentUpTo < this.store.next) batch.packed = this.store.packed(this.sentUpTo)
    this.sentUpTo = this.store.next
    this.options.onBatch?.(batch)
  }

  forceFlush(): Promise<void> {
    this.flush()
    return Promise.resolve()
  }

  /** Sends what is pending, then records nothing more; what it holds stays readable. */
  shutdown(): Promise<void> {
    this.flush()
    this.openWhenClosed ??= this.openSpans().map((span) => toSpanDto(span, true))
    this.open.length = 0
    this.openNumbers.length = 0
    this.holes = 0
    return Promise.resolve()
  }
}

/** Names of variables whose values are secrets: `ANTHROPIC_API_KEY`, `githubToken`, `DB_PASSWORD`… */
const SECRET_NAME = /key|token|secret|passw(or)?d|credential/i
/** SECRET_NAME's answer per name, remembered: a namespace is scanned after every input, and its names seldom change. */
const secretNamed = new Map<string, boolean>()
const MAX_REMEMBERED_NAMES = 10_000

function isSecretName(name: string): boolean {
  let secret = secretNamed.get(name)
  if (secret === undefined) {
    if (secretNamed.size >= MAX_REMEMBERED_NAMES) secretNamed.clear()
    secret = SECRET_NAME.test(name)
    secretNamed.set(name, secret)
  }
  return secret
}

/**
 * The values of secret-named variables (the environment's, and any others given, such as the REPL
 * namespace's): redacted wherever they appear in an exported span, even in the middle of a prompt.
 * Short values are left alone (they would redact ordinary words).
 */
export function secretValues(...scopes: Array<Record<string, unknown>>): string[] {
  const values = new Set<string>()
  for (const scope of scopes) addSecretValues(scope, Object.getOwnPropertyNames(scope), values)
  return [...values]
}

/**
 * {@link secretValues} of the enumerable names only: what every declaration and assignment in the
 * REPL makes, found far faster (V8 caches an object's enumerable keys), for a scan after every input.
 */
export function enumerableSecretValues(scope: Record<string, unknown>): string[] {
  const values = new Set<string>()
  addSecretValues(scope, Object.keys(scope), values)
  return [...values]
}

function addSecretValues(scope: Record<string, unknown>, names: readonly string[], values: Set<string>): void {
  // Names first, then the few secret-named descriptors (all descriptors of a namespace cost ten
  // times more); descriptors, not values: a getter in the user's namespace is not run.
  for (const name of names) {
    if (!isSecretName(name)) continue
    const value: unknown = Object.getOwnPropertyDescriptor(scope, name)?.value
    if (typeof value === 'string' && value.length >= 8) values.add(value)
  }
}

let lastRedaction: { secrets: string; options: RedactOptions } | undefined

/**
 * Redaction options that also replace these exact values. The same options while the secrets stay
 * the same: the patterns are compiled once, and so is what redact.ts derives from the options
 * (the collector asks for every span it sends, the trace session for every file and guarded batch).
 */
export function redaction(secrets: readonly string[]): RedactOptions {
  const joined = secrets.join('\0')
  if (lastRedaction?.secrets !== joined)
    lastRedaction = { secrets: joined, options: { extraPatterns: secrets.map((value) => new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g')) } }
  return lastRedaction.options
}

/** Whether a trace is kept by a ratio sampler: the same decision for every span of a trace (its id's low 8 bytes). */
export function traceSampled(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true
  if (ratio <= 0) return false
  return Number.parseInt(traceId.slice(-8), 16) / 0x1_0000_0000 < ratio
}

export interface CollectorOptions {
  /** The OTLP HTTP traces endpoint, e.g. http://localhost:4318/v1/traces. */
  url: string
  headers?: Record<string, string>
  /** Share of traces sent (0 … 1); 1 sends everything. */
  ratio: number
  /** Whether LM prompts and answers (and REPL inputs) leave the machine. Off unless asked for. */
  captureContent: boolean
  /** Tests and the benchmark pass their own exporter. */
  exporter?: SpanExporter
  /** Values that must never leave the machine, wherever they appear (see secretValues). */
  secrets?: () => readonly string[]
}

/**
 * Sends a sampled, redacted copy of finished spans to an external exporter. Sampling happens here
 * rather than in the provider, because the timeline records every span; the copy is made from the
 * timeline's (the same DTO the window and files get, dep events included).
 */
export class Collector {
  private readonly batch: BatchSpanProcessor
  ratio: number

  constructor(private readonly options: CollectorOptions) {
    this.ratio = options.ratio
    const exporter = options.exporter ?? otlpExporter(options.url, options.headers)
    this.batch = new (otelTraceBase().BatchSpanProcessor)(exporter, { scheduledDelayMillis: 1000, maxQueueSize: 4096 })
  }

  /** A span has ended; `dto` makes its plain copy. */
  add(span: ReadableSpan, dto: () => SpanDto): void {
    if (!traceSampled(span.spanContext().traceId, this.ratio)) return
    const [clean] = redactSpans([dto()], redaction(this.options.secrets?.() ?? []))
    const attributes = (dto: SpanDto['attributes']) => {
      if (this.options.captureContent) return dto as ReadableSpan['attributes']
      const kept = { ...dto }
      for (const key of CONTENT_ATTRIBUTES) delete kept[key]
      return kept as ReadableSpan['attributes']
    }
    // A read-only copy with the cleaned texts; times, ids and the rest are the span's own.
    const copy: ReadableSpan = {
      name: clean!.name,
      kind: span.kind,
      spanContext: () => span.spanContext(),
      ...(span.parentSpanContext ? { parentSpanContext: span.parentSpanContext } : {}),
      startTime: span.startTime,
      endTime: span.endTime,
      status: { code: span.status.code, ...(clean!.status.message !== undefined ? { message: clean!.status.message } : {}) },
      attributes: attributes(clean!.attributes),
      links: span.links.map((link, i) => ({ ...link, attributes: attributes(clean!.links[i]!.attributes) })),
      events: clean!.events.map((event) => ({
        name: event.name,
        attributes: attributes(event.attributes),
        time: hrTimeOf(event.time),
        droppedAttributesCount: 0
      })),
      duration: span.duration,
      ended: span.ended,
      resource: span.resource,
      instrumentationScope: span.instrumentationScope,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount
    }
    this.batch.onEnd(copy)
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush()
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown()
  }
}

/**
 * The OTLP HTTP exporter, loaded when the first batch goes out: loading it (with its protobuf and
 * metrics modules) takes about 0.1 s, and most sessions have no collector.
 */
function otlpExporter(url: string, headers: Record<string, string> | undefined): SpanExporter {
  let made: SpanExporter | undefined
  return {
    export: (spans, done: (result: ExportResult) => void) => {
      try {
        made ??= new (otlpHttp().OTLPTraceExporter)({ url, ...(headers ? { headers } : {}) })
        made.export(spans, done)
      } catch (error) {
        done({ code: otelCore().ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) })
      }
    },
    // Nothing was sent before it was made: nothing to flush or close.
    forceFlush: async () => made?.forceFlush?.(),
    shutdown: async () => made?.shutdown()
  }
}

/** A DTO time (nanoseconds since the epoch, decimal) as the SDK's [seconds, nanoseconds]. */
function hrTimeOf(nanoseconds: string): [number, number] {
  return nanoseconds.length > 9 ? [Number(nanoseconds.slice(0, -9)), Number(nanoseconds.slice(-9))] : [0, Number(nanoseconds)]
}

export interface TracingOptions {
  timeline?: TimelineOptions
  collector?: CollectorOptions
  /** The service name spans are reported under. */
  serviceName?: string
}

/**
 * The SDK's provider (its registration with the API and the context manager, its resource, and
 * flushing and shutting down the processor) handing out Cortex's tracer (span.ts) rather than
 * the SDK's: every span recorded, for the timeline.
 */
function recordingProvider(resource: OtelResources.Resource, processor: SpanProcessor): NodeTracerProvider {
  const { isTracingSuppressed } = otelCore()
  const ids = new RandomIdGenerator()
  const limits = spanLimitsFromEnv()
  const tracers = new Map<string, RecordingTracer>()
  return new (class extends otelTraceNode().NodeTracerProvider {
    override getTracer(name: string, version?: string, options?: { schemaUrl?: string }): RecordingTracer {
      const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`
      let tracer = tracers.get(key)
      if (!tracer) {
        const scope = { name, ...(version ? { version } : {}), ...(options?.schemaUrl ? { schemaUrl: options.schemaUrl } : {}) }
        tracers.set(key, (tracer = new RecordingTracer(resource, scope, [processor], ids, limits, isTracingSuppressed)))
      }
      return tracer
    }
  })({ resource, spanProcessors: [processor] })
}

/**
 * The span limits the SDK reads from the environment (`OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`
 * caps what an LM prompt puts in a span, say), with its defaults.
 */
function spanLimitsFromEnv(): Limits {
  const { getNumberFromEnv } = otelCore()
  return {
    attributeCountLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT') ?? DEFAULT_LIMITS.attributeCountLimit,
    attributeValueLengthLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      getNumberFromEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      DEFAULT_LIMITS.attributeValueLengthLimit,
    eventCountLimit: getNumberFromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT') ?? DEFAULT_LIMITS.eventCountLimit,
    linkCountLimit: getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT') ?? DEFAULT_LIMITS.linkCountLimit,
    attributePerEventCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT') ?? DEFAULT_LIMITS.attributePerEventCountLimit,
    attributePerLinkCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT') ?? DEFAULT_LIMITS.attributePerLinkCountLimit
  }
}

/** Tracing, switched on: the provider registered as the API's global, with its processors. */
export class Tracing {
  readonly timeline: TimelineProcessor
  readonly collector: Collector | undefined
  private readonly provider: NodeTracerProvider

  private constructor(options: TracingOptions) {
    const collector = options.collector ? new Collector(options.collector) : undefined
    this.collector = collector
    this.timeline = new TimelineProcessor(collector ? { ...options.timeline, onEnded: (span, dto) => collector.add(span, dto) } : options.timeline)
    this.provider = recordingProvider(
      otelResources().resourceFromAttributes({ 'service.name': options.serviceName ?? 'cortex', 'process.pid': process.pid }),
      this.timeline
    )
  }

  /** Registers the SDK (replacing any earlier registration); from now on spans are recorded. */
  static start(options: TracingOptions = {}): Tracing {
    disableGlobals()
    const tracing = new Tracing(options)
    // The context manager shares the tasks' AsyncLocalStorage (see engine/async-context.ts).
    tracing.provider.register({ contextManager: new SharedContextManager(), propagator: null })
    tracerProviderChanged(true)
    return tracing
  }

  /** Sends what is pending (timeline batch, collector queue). */
  async flush(): Promise<void> {
    await this.provider.forceFlush()
    await this.collector?.forceFlush()
  }

  /** Flushes and unregisters: spans are no longer created. */
  async stop(): Promise<void> {
    await this.provider.shutdown()
    await this.collector?.shutdown()
    if (trace.getTracerProvider() === this.provider || isProxyFor(this.provider)) disableGlobals()
  }
}

function isProxyFor(provider: NodeTracerProvider): boolean {
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown }
  return proxy.getDelegate?.() === provider
}

function disableGlobals(): void {
  trace.disable()
  context.disable()
  propagation.disable()
  tracerProviderChanged(false)
}

/**
 * Tracing configured from the environment, the way OpenTelemetry's SDKs read it:
 * - `CORTEX_TRACING=off` switches tracing off (no spans at all);
 * - `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`) sends a
 *   copy to a collector, with `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k=v`);
 * - `OTEL_TRACES_SAMPLER_ARG` is the share of traces sent there (default 0.1);
 * - `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` lets LM messages go there too.
 */
export function collectorFromEnv(env: NodeJS.ProcessEnv): CollectorOptions | undefined {
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']
  const url = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined)
  if (!url) return undefined
  const ratio = Number(env['OTEL_TRACES_SAMPLER_ARG'] ?? DEFAULT_EXPORT_RATIO)
  const headers = Object.fromEntries(
    (env['OTEL_EXPORTER_OTLP_HEADERS'] ?? '')
      .split(',')
      .map((pair) => pair.split('='))
      .filter((pair): pair is [string, string] => pair.length >= 2 && pair[0]!.trim() !== '')
      .map(([key, ...value]) => [decodeURIComponent(key.trim()), decodeURIComponent(value.join('=').trim())])
  )
  return {
    url,
    headers,
    ratio: Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : DEFAULT_EXPORT_RATIO,
    captureContent: env['OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT'] === 'true'
  }
}

/** External export samples one trace in ten unless told otherwise; the timeline keeps them all. */
export const DEFAULT_EXPORT_RATIO = 0.1
