/**
 * The one place the OpenTelemetry SDK is wired (the rest of the runtime speaks `@opentelemetry/api`
 * only, through tracer.ts). It records every span for the in-app timeline, streams span starts and
 * ends as DTO batches, keeps finished spans (bounded) for export, and, when a collector is
 * configured, sends a sampled, redacted copy over OTLP HTTP.
 *
 * Tracing off means no provider at all: the API's no-op tracer creates no spans (pitfall 11).
 */
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { AlwaysOnSampler, BatchSpanProcessor, type ReadableSpan, type Span, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { runInContext, SharedContextManager } from '../engine/async-context'
import type { SpanBatch, SpanDto } from '../../common/trace-contract'
import { redactSpans, type RedactOptions } from '../../common/trace/redact'
import { CONTENT_ATTRIBUTES } from './tracer'

const KINDS = ['internal', 'server', 'client', 'producer', 'consumer'] as const
const STATUS = ['unset', 'ok', 'error'] as const

/** Nanoseconds since the epoch as a decimal string, without BigInt (this runs twice per span). */
function nanos(seconds: number, nanoseconds: number): string {
  return seconds > 0 ? `${seconds}${String(nanoseconds).padStart(9, '0')}` : String(nanoseconds)
}

type DtoAttributes = SpanDto['attributes']
type DtoEvent = SpanDto['events'][number]

// Shared, never modified: most spans have no events or links and a status without a message.
const NONE = Object.freeze([]) as unknown as never[]
const STATUSES = STATUS.map((code) => Object.freeze({ code }))

/**
 * What is the same for every span of a provider: its resource and scope, converted once. The DTOs
 * share these objects, as spans share their resource.
 */
const sharedParts = new WeakMap<object, { resource: DtoAttributes; scope: SpanDto['scope'] }>()
function partsOf(span: ReadableSpan): { resource: DtoAttributes; scope: SpanDto['scope'] } {
  let parts = sharedParts.get(span.instrumentationScope)
  if (!parts || parts.resource !== (span.resource.attributes as DtoAttributes)) {
    const { name, version } = span.instrumentationScope
    parts = { resource: span.resource.attributes as DtoAttributes, scope: version ? { name, version } : { name } }
    sharedParts.set(span.instrumentationScope, parts)
  }
  return parts
}

/** A span's DTO without its events (`NONE`), which callers add in the form they keep. */
function spanDtoWithoutEvents(span: ReadableSpan, open: boolean): SpanDto {
  const { traceId, spanId } = span.spanContext()
  const parentSpanId = span.parentSpanContext?.spanId
  const attributes = (value: object | undefined): DtoAttributes =>
    value === undefined ? {} : open ? { ...(value as DtoAttributes) } : (value as DtoAttributes)
  const { resource, scope } = partsOf(span)
  const dto: SpanDto = {
    traceId,
    spanId,
    name: span.name,
    kind: KINDS[span.kind] ?? 'internal',
    startTime: nanos(span.startTime[0], span.startTime[1]),
    attributes: attributes(span.attributes),
    events: NONE,
    links: span.links.length
      ? span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId, attributes: attributes(link.attributes) }))
      : NONE,
    status: span.status.message ? { code: STATUS[span.status.code] ?? 'unset', message: span.status.message } : (STATUSES[span.status.code] ?? STATUSES[0]!),
    resource,
    scope
  }
  if (parentSpanId) dto.parentSpanId = parentSpanId
  if (!open) dto.endTime = nanos(span.endTime[0], span.endTime[1])
  return dto
}

/**
 * The plain-data copy of a span the timeline and the files use. An ended span no longer changes, so
 * its attribute objects are shared rather than copied; an open one (`open`) is copied, without an end.
 */
export function toSpanDto(span: ReadableSpan, open = false): SpanDto {
  const dto = spanDtoWithoutEvents(span, open)
  if (span.events.length)
    dto.events = span.events.map((event) => ({
      name: event.name,
      time: nanos(event.time[0], event.time[1]),
      attributes: event.attributes === undefined ? {} : open ? { ...(event.attributes as DtoAttributes) } : (event.attributes as DtoAttributes)
    }))
  return dto
}

/**
 * A finished span's events as the timeline keeps them: in a few arrays rather than an object, a
 * time string and an attribute object per event. A node's dep events are most of what a run
 * records, and whatever the store keeps, the GC copies as it ages (the cost of tracing was mostly
 * that, pitfall 11). Converted back to DTO events when a batch, a snapshot or a file needs them.
 */
interface PackedEvents {
  readonly names: string[]
  /** Each event's time as [seconds, nanoseconds], one pair after another. */
  readonly times: Float64Array
  /** When every event has these attribute keys, in this order (dep events do): `values` holds their values, event after event. */
  readonly keys: readonly string[] | undefined
  /** The attribute values (with `keys`), else each event's attribute object. */
  readonly values: unknown[]
}

function sameKeys(attributes: object, keys: readonly string[]): boolean {
  let i = 0
  for (const key in attributes) if (keys[i++] !== key) return false
  return i === keys.length
}

function packEvents(events: ReadableSpan['events']): PackedEvents {
  const shared = Object.keys(events[0]!.attributes ?? {})
  const packed = events.every((event) => sameKeys(event.attributes ?? {}, shared))
  const names: string[] = new Array<string>(events.length)
  const times = new Float64Array(events.length * 2)
  const values: unknown[] = []
  events.forEach((event, i) => {
    names[i] = event.name
    times[2 * i] = event.time[0]
    times[2 * i + 1] = event.time[1]
    const attributes = (event.attributes ?? {}) as DtoAttributes
    if (!packed) values.push(attributes)
    else for (const key of shared) values.push(attributes[key])
  })
  return { names, times, keys: packed ? shared : undefined, values }
}

function unpackEvents({ names, times, keys, values }: PackedEvents): DtoEvent[] {
  const events = new Array<DtoEvent>(names.length)
  for (let i = 0; i < names.length; i++) {
    let attributes: DtoAttributes
    if (!keys) attributes = values[i] as DtoAttributes
    else {
      attributes = {}
      for (let k = 0; k < keys.length; k++) attributes[keys[k]!] = values[i * keys.length + k] as DtoAttributes[string]
    }
    events[i] = { name: names[i]!, time: nanos(times[2 * i]!, times[2 * i + 1]!), attributes }
  }
  return events
}

/** A finished span in the timeline's store: its DTO (events left out) and its events, packed. */
interface StoredSpan {
  readonly dto: SpanDto
  readonly events: PackedEvents | undefined
  /** Roughly its size in memory: what bounds the store is mostly LM messages in attributes. */
  readonly bytes: number
}

function storedSpan(span: ReadableSpan): StoredSpan {
  const dto = spanDtoWithoutEvents(span, false)
  let bytes = 400 + span.events.length * 100
  for (const key in dto.attributes) {
    const value = dto.attributes[key]
    bytes += typeof value === 'string' ? value.length * 2 : 16
  }
  return { dto, events: span.events.length ? packEvents(span.events) : undefined, bytes }
}

function spanDtoOf(stored: StoredSpan): SpanDto {
  return stored.events ? { ...stored.dto, events: unpackEvents(stored.events) } : stored.dto
}

export interface TimelineOptions {
  /** Receives the live feed: spans started and ended since the last batch. */
  onBatch?: (batch: SpanBatch) => void
  /** How long spans are gathered before a batch goes out. */
  batchMs?: number
  /** Bounds of the finished spans kept for export; the oldest go first. */
  maxSpans?: number
  maxBytes?: number
}

/**
 * Records every span for the timeline. The traced code only pays for appending to arrays and, when
 * a span ends, for storing it compactly (see PackedEvents); DTOs are made when a batch, a snapshot
 * or an export asks, so that those of the feed die young. Open spans are converted when a batch
 * goes out, with what they hold by then; batches go out on a timer, so tracing never waits for a window.
 */
export class TimelineProcessor implements SpanProcessor {
  /** Spans started and not ended, by id (converted when asked for). */
  private readonly open = new Map<string, Span>()
  private readonly finished: StoredSpan[] = []
  private finishedBytes = 0
  /** Where the live store starts in `finished` (evicted entries are dropped in chunks, not one shift at a time). */
  private head = 0
  /** Ids of spans started since the last batch (the spans themselves stay only in `open`, and only while open). */
  private started: string[] = []
  private ended: StoredSpan[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly batchMs: number
  private readonly maxSpans: number
  private readonly maxBytes: number
  /** Once closed (tracing switched off): the spans open then, as they were; nothing more is recorded. */
  private openWhenClosed: SpanDto[] | undefined
  /** Spans dropped from the store to keep it bounded (they were sent live, but can no longer be exported). */
  evicted = 0

  constructor(private readonly options: TimelineOptions = {}) {
    this.batchMs = options.batchMs ?? 50
    this.maxSpans = options.maxSpans ?? 100_000
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024
  }

  onStart(span: Span): void {
    if (this.openWhenClosed) return
    const { spanId } = span.spanContext()
    this.open.set(spanId, span)
    if (this.options.onBatch) {
      this.started.push(spanId)
      this.schedule()
    }
  }

  onEnd(span: ReadableSpan): void {
    if (this.openWhenClosed) return
    const stored = storedSpan(span)
    this.open.delete(stored.dto.spanId)
    this.finished.push(stored)
    this.finishedBytes += stored.bytes
    this.evict(0)
    if (this.options.onBatch) {
      this.ended.push(stored)
      this.schedule()
    }
  }

  /** How many spans the store holds (finished and open). */
  get size(): number {
    return this.finished.length - this.head + (this.openWhenClosed?.length ?? this.open.size)
  }

  /** Drops the oldest finished spans beyond the bounds, and `extra` more. */
  evict(extra: number): void {
    let drop = extra
    while (this.finished.length - this.head > 1 && (drop > 0 || this.finished.length - this.head > this.maxSpans || this.finishedBytes > this.maxBytes)) {
      this.finishedBytes -= this.finished[this.head]!.bytes
      this.head++
      this.evicted++
      drop--
    }
    if (this.head > 1024 && this.head * 2 > this.finished.length) {
      this.finished.splice(0, this.head)
      this.head = 0
    }
  }

  /** Every span known: finished ones (oldest first), then those still open. */
  spans(): SpanDto[] {
    const spans = new Array<SpanDto>(this.finished.length - this.head)
    for (let i = this.head; i < this.finished.length; i++) spans[i - this.head] = spanDtoOf(this.finished[i]!)
    return [...spans, ...(this.openWhenClosed ?? [...this.open.values()].map((span) => toSpanDto(span, true)))]
  }

  private schedule(): void {
    if (this.timer) return
    // Outside the traced code's context: a timer keeps the context it was made in (the run's open
    // spans, with all their events) alive until it fires, long enough for the GC to copy it all.
    this.timer = runInContext(ROOT_CONTEXT, () => setTimeout(() => this.flush(), this.batchMs))
    // A pending batch never keeps the process alive.
    this.timer.unref?.()
  }

  /** Sends what is waiting now. A span that started and ended within one batch is sent once, as ended. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (!this.started.length && !this.ended.length) return
    const started: SpanDto[] = []
    for (const spanId of this.started) {
      const span = this.open.get(spanId)
      if (span) started.push(toSpanDto(span, true))
    }
    const batch = { started, ended: this.ended.map(spanDtoOf) }
    this.started = []
    this.ended = []
    this.options.onBatch?.(batch)
  }

  forceFlush(): Promise<void> {
    this.flush()
    return Promise.resolve()
  }

  /** Sends what is pending, then records nothing more; what it holds stays readable. */
  shutdown(): Promise<void> {
    this.flush()
    this.openWhenClosed ??= [...this.open.values()].map((span) => toSpanDto(span, true))
    this.open.clear()
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

/** Redaction options that also replace these exact values. */
export function redaction(secrets: readonly string[]): RedactOptions {
  return { extraPatterns: secrets.map((value) => new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g')) }
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
 * rather than in the provider, because the timeline records every span.
 */
export class CollectorProcessor implements SpanProcessor {
  private readonly batch: BatchSpanProcessor
  ratio: number

  constructor(private readonly options: CollectorOptions) {
    this.ratio = options.ratio
    const exporter = options.exporter ?? new OTLPTraceExporter({ url: options.url, ...(options.headers ? { headers: options.headers } : {}) })
    this.batch = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000, maxQueueSize: 4096 })
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (!traceSampled(span.spanContext().traceId, this.ratio)) return
    const [clean] = redactSpans([toSpanDto(span)], redaction(this.options.secrets?.() ?? []))
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
      events: span.events.map((event, i) => ({ ...event, name: clean!.events[i]!.name, attributes: attributes(clean!.events[i]!.attributes) })),
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

export interface TracingOptions {
  timeline?: TimelineOptions
  collector?: CollectorOptions
  /** The service name spans are reported under. */
  serviceName?: string
}

/** Tracing, switched on: the provider registered as the API's global, with its processors. */
export class Tracing {
  readonly timeline: TimelineProcessor
  readonly collector: CollectorProcessor | undefined
  private readonly provider: NodeTracerProvider

  private constructor(options: TracingOptions) {
    this.timeline = new TimelineProcessor(options.timeline)
    this.collector = options.collector ? new CollectorProcessor(options.collector) : undefined
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'cortex', 'process.pid': process.pid }),
      sampler: new AlwaysOnSampler(),
      spanProcessors: [this.timeline, ...(this.collector ? [this.collector] : [])]
    })
  }

  /** Registers the SDK (replacing any earlier registration); from now on spans are recorded. */
  static start(options: TracingOptions = {}): Tracing {
    disableGlobals()
    const tracing = new Tracing(options)
    // The context manager shares the tasks' AsyncLocalStorage (see engine/async-context.ts).
    tracing.provider.register({ contextManager: new SharedContextManager(), propagator: null })
    return tracing
  }

  /** Sends what is pending (timeline batch, collector queue). */
  async flush(): Promise<void> {
    await this.provider.forceFlush()
  }

  /** Flushes and unregisters: spans are no longer created. */
  async stop(): Promise<void> {
    await this.provider.shutdown()
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
