/**
 * Cortex's tracer and the span it records: the API's `Span` for the code that traces, the SDK's
 * `ReadableSpan` for its processors and exporters, with the SDK span's rules (attribute values
 * checked, 128 attributes, events and links at most, the status rules, one end), at a fraction of
 * its cost. sdk.ts hands this tracer out from the SDK's provider.
 *
 * Why not the SDK's own span: per span it validated the parent's ids with regular expressions,
 * sanitized the attributes twice, asked a sampler and a metrics recorder, read two clocks and made
 * a dozen objects; that was most of a short span's cost, and the 5 µs a span tracing may cost
 * (pitfall 11) was out of reach around it.
 */
import {
  context,
  diag,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer
} from '@opentelemetry/api'
import type { InstrumentationScope } from '@opentelemetry/core'
import { hex16 } from '../../common/trace/packed'
import type { LaterAttribute } from './tracer'
import type { Resource } from '@opentelemetry/resources'
import type { IdGenerator, ReadableSpan, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base'

/** Bounds on what a span keeps (the SDK's `SpanLimits`, every one set). */
export type Limits = Required<SpanLimits>

/** The SDK's defaults: 128 attributes, events and links, and attributes per event or link; values of any length. */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128
})

/** Shared until a span adds its first event or link (most never do); never modified. */
const NONE = Object.freeze([]) as unknown as never[]
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET })
/** The end time of a span not ended yet (the SDK's). */
const NOT_ENDED = Object.freeze([0, 0]) as unknown as HrTime

/**
 * The epoch time at performance.now() = 0, as whole seconds and nanoseconds (one number of epoch
 * milliseconds is only good to a quarter of a microsecond, too coarse for the duration of a short
 * span).
 */
export interface ClockAnchor {
  readonly ms: number
  readonly seconds: number
  readonly nanoseconds: number
}

function clockAnchor(ms: number): ClockAnchor {
  const seconds = Math.floor(ms / 1000)
  return { ms, seconds, nanoseconds: Math.round((ms - seconds * 1000) * 1e6) }
}

/** The process's time origin, while the wall clock agrees with it. */
let anchor = clockAnchor(performance.timeOrigin)

/**
 * The anchor of a new trace's times. The monotonic clock and the wall clock drift apart (clock
 * adjustments, a machine that slept): when they disagree by more than Date.now()'s millisecond,
 * the anchor moves to the wall clock. Otherwise traces share it, so concurrent ones line up to the
 * microsecond; a trace keeps its root's anchor, so its spans nest on one clock.
 */
function wallClockAnchor(): ClockAnchor {
  const wall = Date.now() - performance.now()
  if (Math.abs(wall - anchor.ms) > 1) anchor = clockAnchor(wall)
  return anchor
}

/** A performance.now() reading as [seconds, nanoseconds] since the epoch. */
function hrTimeAt(at: ClockAnchor, performanceMs: number): HrTime {
  const nanoseconds = at.nanoseconds + Math.round(performanceMs * 1e6)
  const carry = Math.floor(nanoseconds / 1e9)
  return [at.seconds + carry, nanoseconds - carry * 1e9]
}

/** Epoch milliseconds as [seconds, nanoseconds]. */
function hrTimeOf(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000)
  const nanoseconds = Math.round((ms - seconds * 1000) * 1e6)
  return nanoseconds >= 1e9 ? [seconds + 1, nanoseconds - 1e9] : [seconds, nanoseconds]
}

/** A value within the length limit: strings (alone or in an array) cut to it, as the SDK cuts them. */
function truncated(value: AttributeValue, limit: number): AttributeValue {
  if (limit === Infinity) return Array.isArray(value) ? value.slice() : value
  if (limit <= 0) {
    diag.warn(`Attribute value limit must be positive, got ${limit}`)
    return Array.isArray(value) ? value.slice() : value
  }
  if (typeof value === 'string') return value.length <= limit ? value : value.substring(0, limit)
  if (Array.isArray(value))
    return (value as unknown[]).map((item) => (typeof item === 'string' && item.length > limit ? item.substring(0, limit) : item)) as AttributeValue
  return value
}

function isHrTime(value: unknown): value is HrTime {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number'
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || isHrTime(value)
}

function isPrimitive(value: unknown): boolean {
  const type = typeof value
  return type === 'string' || type === 'number' || type === 'boolean'
}

/** An attribute value the OpenTelemetry spec allows: a string, number or boolean, or an array of one of them (nulls allowed). */
function isAttributeValue(value: unknown): value is AttributeValue {
  if (!Array.isArray(value)) return isPrimitive(value)
  let type: string | undefined
  for (const element of value as unknown[]) {
    if (element == null) continue
    if (type === undefined) {
      if (!isPrimitive(element)) return false
      type = typeof element
    } else if (typeof element !== type) return false
  }
  return true
}

/** Whether an attribute may be kept: a key, and a value the spec allows (or none); the SDK's warning otherwise. */
function acceptable(key: string, value: unknown): boolean {
  if (key !== '' && (value == null || isAttributeValue(value))) return true
  diag.warn(`Invalid attribute ${key === '' ? 'key' : `value set for key: ${key}`}`)
  return false
}

/** The valid attributes of an event or a link, up to `countLimit` (`dropped`: how many were not). */
function checkedAttributes(attributes: Attributes | undefined, countLimit: number, lengthLimit: number): { attributes: Attributes; dropped: number } {
  const kept: Attributes = {}
  let count = 0
  let dropped = 0
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue
    const value = attributes[key]
    if (!acceptable(key, value)) continue
    if (count >= countLimit) {
      dropped++
      continue
    }
    kept[key] = value == null ? value : truncated(value, lengthLimit)
    count++
  }
  return { attributes: kept, dropped }
}

/** What every span of a tracer shares. */
interface TracerParts {
  readonly resource: Resource
  readonly instrumentationScope: InstrumentationScope
  readonly processors: readonly SpanProcessor[]
  readonly limits: Limits
  /** Frozen attribute objects spans started with and kept as they were (within the limits, every value allowed), with their key counts. */
  readonly acceptedAttributes: WeakMap<Attributes, number>
}

/** Whether a span's checked attributes are what it was given: the same keys, the same values (no value dropped, cut or copied). */
function keptAsGiven(kept: Attributes, given: Attributes, keptCount: number): boolean {
  let count = 0
  for (const key in given) {
    if (!Object.prototype.hasOwnProperty.call(given, key)) continue
    if (kept[key] !== given[key]) return false
    count++
  }
  return count === keptCount
}

/** A recording span. Its times are read off one monotonic clock, anchored to the wall clock (see wallClockAnchor). */
export class RecordingSpan implements Span, ReadableSpan {
  /** Its own, or a frozen object it shares with other spans until it sets an attribute (see startWith). */
  attributes: Attributes = {}
  links: Link[] = NONE
  events: TimedEvent[] = NONE
  status: SpanStatus = UNSET
  readonly startTime: HrTime
  endTime: HrTime = NOT_ENDED
  ended = false
  droppedAttributesCount = 0
  droppedEventsCount = 0
  droppedLinksCount = 0
  /** performance.now() at its start, unless a start time was given: what a processor can place readings of that clock by. */
  readonly startedAt: number | undefined
  /** Its span id as two 32-bit words (`idWords`: known; the tracer's own id generator gives them), and its parent's. */
  idWords = false
  idHigh = 0
  idLow = 0
  parentWords = false
  parentHigh = 0
  parentLow = 0
  private attributeCount = 0
  private sharesAttributes = false

  constructor(
    private readonly tracer: TracerParts,
    public name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    /** Its trace's clock. */
    readonly anchor: ClockAnchor,
    startTime: TimeInput | undefined
  ) {
    if (startTime === undefined) {
      this.startedAt = performance.now()
      this.startTime = hrTimeAt(anchor, this.startedAt)
    } else {
      this.startedAt = undefined
      this.startTime = this.time(startTime)
    }
  }

  get resource(): Resource {
    return this.tracer.resource
  }

  get instrumentationScope(): InstrumentationScope {
    return this.tracer.instrumentationScope
  }

  get duration(): HrTime {
    if (!this.ended) return [-1, -1]
    const nanoseconds = this.endTime[1] - this.startTime[1]
    const seconds = this.endTime[0] - this.startTime[0]
    return nanoseconds < 0 ? [seconds - 1, nanoseconds + 1e9] : [seconds, nanoseconds]
  }

  spanContext(): SpanContext {
    return this.context
  }

  isRecording(): boolean {
    return !this.ended
  }

  /** A time as the SDK takes it: a performance.now() reading, epoch milliseconds, a Date or an HrTime; now when not given. */
  private time(input: TimeInput | undefined): HrTime {
    if (input === undefined) return hrTimeAt(this.anchor, performance.now())
    if (typeof input === 'number') return input <= performance.now() ? hrTimeAt(this.anchor, input) : hrTimeOf(input)
    if (input instanceof Date) return hrTimeOf(input.getTime())
    return input
  }

  /** Whether the span has ended: then it no longer changes, and the SDK warns of the attempt. */
  private endedAlready(): boolean {
    if (this.ended) diag.warn(`Cannot execute the operation on ended Span {traceId: ${this.context.traceId}, spanId: ${this.context.spanId}}`)
    return this.ended
  }

  /**
   * Sets the attributes a span starts with. A frozen object that an earlier span of the tracer
   * started with and kept as it was is taken as it is, shared (copied when this span sets one):
   * code that starts many spans with the same attributes (a dep's span on every run) passes one
   * frozen object, which then costs neither checks nor copies per span, and the timeline keeps it
   * once (pitfall 11).
   */
  startWith(attributes: Attributes): void {
    const frozen = Object.isFrozen(attributes)
    if (frozen) {
      const count = this.tracer.acceptedAttributes.get(attributes)
      if (count !== undefined) {
        this.attributes = attributes
        this.attributeCount = count
        this.sharesAttributes = true
        return
      }
    } else if (this.copiedWhole(attributes)) return
    this.setAttributes(attributes)
    if (frozen && keptAsGiven(this.attributes, attributes, this.attributeCount)) {
      this.tracer.acceptedAttributes.set(attributes, this.attributeCount)
      this.attributes = attributes
      this.sharesAttributes = true
    }
  }

  /**
   * Takes a copy of `attributes` in one go when every value is kept as it is (a number, a boolean,
   * a string within the length limit; a plain object, within the count limit): one copy in one go,
   * where checking and setting key by key took ~0.2 µs a key (pitfall 11). False, with nothing
   * taken, for anything rarer, which goes key by key.
   */
  private copiedWhole(attributes: Attributes): boolean {
    const prototype: unknown = Object.getPrototypeOf(attributes)
    if (prototype !== Object.prototype && prototype !== null) return false
    const { attributeCountLimit, attributeValueLengthLimit } = this.tracer.limits
    // Object.assign, not a spread: a spread's copy gets a layout that every key set later rebuilds
    // (~1 µs each, Node 20). The copy is what is checked: a getter is read once, as the SDK reads it.
    const copy: Attributes = Object.assign({}, attributes)
    const keys = Object.keys(copy)
    if (keys.length > attributeCountLimit || Object.getOwnPropertySymbols(copy).length > 0) return false
    for (const key of keys) {
      const value = copy[key]
      const type = typeof value
      if (key === '' || !(type === 'number' || type === 'boolean' || (type === 'string' && (value as string).length <= attributeValueLengthLimit))) return false
    }
    this.attributes = copy
    this.attributeCount = keys.length
    return true
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (value == null || this.endedAlready() || !acceptable(key, value)) return this
    if (this.sharesAttributes) {
      // Object.assign, not a spread (see copiedWhole).
      this.attributes = Object.assign({}, this.attributes)
      this.sharesAttributes = false
    }
    const { attributeCountLimit, attributeValueLengthLimit } = this.tracer.limits
    if (!Object.prototype.hasOwnProperty.call(this.attributes, key)) {
      if (this.attributeCount >= attributeCountLimit) {
        this.droppedAttributesCount++
        return this
      }
      this.attributeCount++
    }
    this.attributes[key] = truncated(value, attributeValueLengthLimit)
    return this
  }

  /**
   * Sets the attributes handed over to be made later (tracer.ts addAttributeLater) by
   * setAttribute's own rules, as if they had been set before the end: only the timeline calls it,
   * for an ended span it has not stored yet (sdk.ts). setAttribute itself, let through for these
   * calls: the rules stay in one place, and setAttribute's hot path as it was.
   */
  setLater(later: readonly LaterAttribute[]): void {
    this.ended = false
    try {
      for (const [key, make] of later) this.setAttribute(key, make())
    } finally {
      this.ended = true
    }
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) if (Object.prototype.hasOwnProperty.call(attributes, key)) this.setAttribute(key, attributes[key])
    return this
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.endedAlready()) return this
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime
      attributesOrTime = undefined
    }
    const { eventCountLimit, attributePerEventCountLimit, attributeValueLengthLimit } = this.tracer.limits
    if (eventCountLimit === 0) {
      this.droppedEventsCount++
      return this
    }
    if (this.events === NONE) this.events = []
    else if (this.events.length >= eventCountLimit) {
      this.events.shift()
      this.droppedEventsCount++
    }
    const { attributes, dropped } = checkedAttributes(attributesOrTime, attributePerEventCountLimit, attributeValueLengthLimit)
    this.events.push({ name, attributes, time: this.time(time), droppedAttributesCount: dropped })
    return this
  }

  addLink(link: Link): this {
    if (this.endedAlready()) return this
    const { linkCountLimit, attributePerLinkCountLimit, attributeValueLengthLimit } = this.tracer.limits
    if (linkCountLimit === 0) {
      this.droppedLinksCount++
      return this
    }
    if (this.links === NONE) this.links = []
    else if (this.links.length >= linkCountLimit) {
      this.links.shift()
      this.droppedLinksCount++
    }
    const { attributes, dropped } = checkedAttributes(link.attributes, attributePerLinkCountLimit, attributeValueLengthLimit)
    const kept: Link = { context: link.context }
    if (Object.keys(attributes).length) kept.attributes = attributes
    if (dropped) kept.droppedAttributesCount = dropped
    this.links.push(kept)
    return this
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link)
    return this
  }

  /** UNSET changes nothing and OK is final, as the spec says; only an error keeps a message. */
  setStatus(status: SpanStatus): this {
    if (this.endedAlready() || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this
    const message: unknown = status.message
    if (status.code === SpanStatusCode.ERROR && typeof message === 'string') this.status = { code: status.code, message }
    else {
      if (status.code === SpanStatusCode.ERROR && message != null) diag.warn(`Dropping invalid status.message of type '${typeof message}', expected 'string'`)
      this.status = { code: status.code }
    }
    return this
  }

  updateName(name: string): this {
    if (!this.endedAlready()) this.name = name
    return this
  }

  /** An `exception` event (exception.type, .message, .stacktrace), as the semantic conventions name it. */
  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {}
    if (typeof exception === 'string') attributes['exception.message'] = exception
    else if (exception) {
      if (exception.code) attributes['exception.type'] = String(exception.code)
      else if (exception.name) attributes['exception.type'] = exception.name
      if (exception.message) attributes['exception.message'] = exception.message
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack
    }
    if (attributes['exception.type'] || attributes['exception.message']) this.addEvent('exception', attributes, time)
    // Not the value itself in the message: one without a string form (Object.create(null)) would throw here.
    else diag.warn(`Failed to record an exception: a ${typeof exception} with neither a name, a code nor a message`)
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`)
      return
    }
    const end = this.time(endTime)
    this.endTime = end
    if (end[0] < this.startTime[0] || (end[0] === this.startTime[0] && end[1] < this.startTime[1])) {
      diag.warn('Inconsistent start and end time, startTime > endTime. Setting span duration to 0ms.', this.startTime, this.endTime)
      this.endTime = [this.startTime[0], this.startTime[1]]
    }
    if (this.droppedEventsCount > 0) diag.warn(`Dropped ${this.droppedEventsCount} events because eventCountLimit reached`)
    if (this.droppedLinksCount > 0) diag.warn(`Dropped ${this.droppedLinksCount} links because linkCountLimit reached`)
    const processors = this.tracer.processors
    for (let i = 0; i < processors.length; i++) processors[i]!.onEnding?.(this)
    this.ended = true
    for (let i = 0; i < processors.length; i++) processors[i]!.onEnd(this)
  }
}

/** Cortex's tracer: spans are always recorded (sampling for a collector happens when spans are sent, sdk.ts's Collector). */
export class RecordingTracer implements Tracer, TracerParts {
  readonly acceptedAttributes = new WeakMap<Attributes, number>()

  constructor(
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    readonly processors: readonly SpanProcessor[],
    private readonly ids: IdGenerator,
    readonly limits: Limits,
    /** Whether a context asks for no spans (the SDK's suppressTracing). */
    private readonly suppressed: (context: Context) => boolean
  ) {}

  startSpan(name: string, options: SpanOptions = {}, parentContext: Context = context.active()): Span {
    if (options.root) parentContext = trace.deleteSpan(parentContext)
    if (this.suppressed(parentContext)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT)
    const parentSpan = trace.getSpan(parentContext)
    const own = parentSpan instanceof RecordingSpan
    let parent = parentSpan?.spanContext()
    // Contexts of this tracer's spans are valid by construction; another's is checked (the API's regular expressions).
    if (parent && !own && !isSpanContextValid(parent)) parent = undefined
    const spanContext: SpanContext = {
      traceId: parent ? parent.traceId : this.ids.generateTraceId(),
      spanId: this.ids.generateSpanId(),
      traceFlags: TraceFlags.SAMPLED
    }
    if (parent?.traceState) spanContext.traceState = parent.traceState
    // A trace reads one clock: its spans share the anchor its root found.
    const anchor = own ? parentSpan.anchor : wallClockAnchor()
    const span = new RecordingSpan(this, name, options.kind ?? SpanKind.INTERNAL, spanContext, parent, anchor, options.startTime)
    // Its own class only: a subclass that makes ids another way would leave the words stale.
    if (this.ids.constructor === RandomIdGenerator) {
      const ids = this.ids as RandomIdGenerator
      span.idWords = true
      span.idHigh = ids.high
      span.idLow = ids.low
    }
    if (own && parentSpan.idWords) {
      span.parentWords = true
      span.parentHigh = parentSpan.idHigh
      span.parentLow = parentSpan.idLow
    }
    if (options.attributes) span.startWith(options.attributes)
    if (options.links) span.addLinks(options.links)
    for (let i = 0; i < this.processors.length; i++) this.processors[i]!.onStart(span, parentContext)
    return span
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, parentContext: Context, fn: F): ReturnType<F>
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F
    const options = rest.length > 1 ? (rest[0] as SpanOptions) : {}
    const parentContext = (rest.length > 2 ? (rest[1] as Context | undefined) : undefined) ?? context.active()
    const span = this.startSpan(name, options, parentContext)
    return context.with(trace.setSpan(parentContext, span), fn as (span: Span) => ReturnType<F>, undefined, span)
  }
}

/** A random unsigned 32-bit integer. */
const random32 = (): number => (Math.random() * 0x1_0000_0000) >>> 0

/**
 * Random span and trace ids from Math.random, as the SDK's own generator makes them, but written
 * straight into a string rather than through a buffer's hex encoding. An all-zero id is invalid
 * (W3C Trace Context): with 64 random bits it does not come up, but must never be sent.
 */
export class RandomIdGenerator implements IdGenerator {
  generateTraceId(): string {
    const a = random32()
    const b = random32()
    const c = random32()
    const d = random32()
    return (a | b | c | d) === 0 ? this.generateTraceId() : hex16(a, b) + hex16(c, d)
  }

  /** The last span id made, as two 32-bit words: what the timeline keeps (span-store.ts), rather than parse the hex back. */
  high = 0
  low = 0

  generateSpanId(): string {
    const a = random32()
    const b = random32()
    if ((a | b) === 0) return this.generateSpanId()
    this.high = a | 0
    this.low = b | 0
    return hex16(a, b)
  }
}
