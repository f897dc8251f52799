/**
 * The timeline's store of finished spans, and the plain-data copies (DTOs, src/common's
 * trace-contract) snapshots and files get. Spans are kept column by column in typed arrays, as the
 * live feed sends them (src/common/trace/packed.ts); DTOs are made only when asked for. What a
 * store keeps on the JavaScript heap, the garbage collector copies and scans, and for short spans
 * that was most of what tracing cost (pitfall 11).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base'
import type { SpanDto } from '../../common/trace-contract'
import {
  ATTRIBUTES,
  EVENTS,
  FLAGS,
  HAS_PARENT,
  INTS,
  KIND,
  kindName,
  NAME,
  nanos,
  NONE,
  ODD_IDS,
  PARENT_HIGH,
  PARTS,
  RARE,
  REF_FIELDS,
  SPAN_HIGH,
  SPAN_LOW,
  PARENT_LOW,
  STATUS,
  statusDto,
  TRACE,
  unpackSpan,
  type Column,
  type PackedEvents,
  type PackedSpans,
  type PackedSpansWire,
  type RareParts,
  type SharedParts
} from '../../common/trace/packed'
import { RecordingSpan } from './span'
import { ATTR, type DepEventColumns } from './tracer'

type DtoAttributes = SpanDto['attributes']

/** What is the same for every span of a provider, converted once: the DTOs share these objects, as spans share their resource. */
const sharedParts = new WeakMap<object, SharedParts>()
function partsOf(span: ReadableSpan): SharedParts {
  let parts = sharedParts.get(span.instrumentationScope)
  if (!parts || parts.resource !== (span.resource.attributes as DtoAttributes)) {
    const { name, version } = span.instrumentationScope
    parts = { resource: span.resource.attributes as DtoAttributes, scope: version ? { name, version } : { name } }
    sharedParts.set(span.instrumentationScope, parts)
  }
  return parts
}

/** A span's DTO without its events (`NONE`): toSpanDto adds them. */
function spanDtoWithoutEvents(span: ReadableSpan, open: boolean): SpanDto {
  const { traceId, spanId } = span.spanContext()
  const parentSpanId = span.parentSpanContext?.spanId
  const attributes = (value: object | undefined): DtoAttributes =>
    value === undefined ? {} : open ? { ...(value as DtoAttributes) } : (value as DtoAttributes)
  const { resource, scope } = partsOf(span)
  const dto: SpanDto = {
    traceId: traceId.toLowerCase(),
    spanId: spanId.toLowerCase(),
    name: span.name,
    kind: kindName(span.kind),
    startTime: nanos(span.startTime[0], span.startTime[1]),
    attributes: attributes(span.attributes),
    events: NONE,
    links: span.links.length
      ? span.links.map((link) => ({
          traceId: link.context.traceId.toLowerCase(),
          spanId: link.context.spanId.toLowerCase(),
          attributes: attributes(link.attributes)
        }))
      : NONE,
    status: statusDto(span.status.code, span.status.message),
    resource,
    scope
  }
  if (parentSpanId) dto.parentSpanId = parentSpanId.toLowerCase()
  if (!open) dto.endTime = nanos(span.endTime[0], span.endTime[1])
  return dto
}

/**
 * The plain-data copy of a span the timeline and the files use. An ended span no longer changes, so
 * its attribute objects are shared rather than copied; an open one (`open`) is copied, without an end.
 * Ids are lowercase hex, as the contract has them (a remote parent's may come in capitals).
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

/** The attributes of a dep event, in this order (as Span.addEvent made them before). */
const DEP_EVENT_KEYS = [ATTR.dep, ATTR.depMs, ATTR.node] as const

/**
 * A finished span's events, packed (see PackedEvents): its own and its dep events (tracer.ts,
 * addDepEvents), whose times (performance.now()) are placed as the SDK places a performance
 * timestamp: relative to the span's start (`startedAt`, performance.now() then).
 */
function packedEventsOf(span: ReadableSpan, deps: DepEventColumns | undefined, startedAt: number, entry: NameEntry): PackedEvents | undefined {
  if (!deps) return span.events.length ? packEvents(span.events) : undefined
  const count = deps.names.length
  const times = new Array<number>(count * 2)
  const durations = new Array<number>(count)
  const [seconds, nanoseconds] = span.startTime
  for (let i = 0; i < count; i++) {
    const started = deps.times[2 * i]!
    const resolved = deps.times[2 * i + 1]!
    const ns = nanoseconds + Math.round((resolved - startedAt) * 1e6)
    const carry = Math.floor(ns / 1e9)
    times[2 * i] = seconds + carry
    times[2 * i + 1] = ns - carry * 1e9
    durations[i] = Math.round((resolved - started) * 1000) / 1000
  }
  if (span.events.length) {
    // Rare (an exception recorded on a node span): every event, in the order of their times.
    const depEvents = deps.names.map((name, i) => ({
      name: 'dep',
      attributes: { [ATTR.dep]: name, [ATTR.depMs]: durations[i]!, [ATTR.node]: deps.nodes?.[i] ?? deps.node },
      time: [times[2 * i]!, times[2 * i + 1]!] as [number, number],
      droppedAttributesCount: 0
    }))
    return packEvents([...depEvents, ...span.events].sort((a, b) => a.time[0] - b.time[0] || a.time[1] - b.time[1]))
  }
  return {
    count,
    names: 'dep',
    times,
    keys: DEP_EVENT_KEYS,
    columns: [depNamesColumn(entry, deps.names), sameOrEach(durations), deps.nodes ? sameOrEach(deps.nodes) : nodeColumn(entry, deps.node)]
  }
}

/**
 * The dep-name column of a node span's events: the column of the name's last span when it lists the
 * same deps (a node resolves the same deps every run), so the store keeps one copy, not one a run.
 */
function depNamesColumn(entry: NameEntry, names: readonly string[]): Column {
  const column = sameOrEach(names)
  if (!Array.isArray(column)) return column
  const last = entry.depNames
  if (last !== undefined && last.length === names.length && last.every((name, i) => name === names[i])) return last
  entry.depNames = names
  return names
}

/** The node column of a node span's dep events when every dep resolved for the step's node: one object while the name's spans keep that node. */
function nodeColumn(entry: NameEntry, node: string): Column {
  if (entry.nodeColumn?.all !== node) entry.nodeColumn = { all: node }
  return entry.nodeColumn
}

function sameKeys(attributes: object, keys: readonly string[]): boolean {
  let i = 0
  for (const key in attributes) if (keys[i++] !== key) return false
  return i === keys.length
}

/** A column of given values: one value if they are all the same, else the values themselves (not copied). */
function sameOrEach(values: readonly unknown[]): Column {
  const first = values[0]
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return values as unknown[]
  return { all: first }
}

function packEvents(events: ReadableSpan['events']): PackedEvents {
  const count = events.length
  const first = events[0]!
  const keys = Object.keys(first.attributes ?? {})
  const packed = events.every((event) => sameKeys(event.attributes ?? {}, keys))
  const times = new Array<number>(count * 2)
  let names: string | string[] = first.name
  for (let i = 0; i < count; i++) {
    const event = events[i]!
    times[2 * i] = event.time[0]
    times[2 * i + 1] = event.time[1]
    if (event.name !== first.name && typeof names === 'string') names = events.map((e) => e.name)
  }
  const columns = packed
    ? keys.map((key) => sameOrEach(events.map((event) => (event.attributes as DtoAttributes)[key])))
    : events.map((event) => (event.attributes ?? {}) as DtoAttributes)
  return { count, names, times, keys: packed ? keys : undefined, columns }
}

/** Spans per chunk of the store. */
const CHUNK = 1024

/**
 * 1024 finished spans in the packed layout (src/common/trace/packed.ts): integers and times in
 * typed arrays, and one table of the objects the spans refer to (trace id, name, attributes,
 * resource and scope: each kept once per chunk while it repeats). A span of a repeated dep adds no
 * object to the JavaScript heap. Whatever the store holds there, the garbage collector copies as it
 * ages and scans on every collection of the young generation: with an array of references per
 * span, each scavenge took three times as long (measured: 1.1 → 3.5 ms; pitfall 11).
 */
class Chunk implements PackedSpans {
  constructor(
    /** Which chunk of its store this is, counting from 1 (what a name entry remembers: not the chunk, which would keep it alive after eviction). */
    readonly serial: number
  ) {}

  readonly ints = new Int32Array(CHUNK * INTS)
  readonly times = new Float64Array(CHUNK * 4)
  readonly refs: unknown[] = []
  /** Roughly the size of each span in memory: what bounds the store is mostly LM messages in attributes. */
  readonly bytes = new Float64Array(CHUNK)
  /** The last trace id, and resource and scope, kept here, and where: a run's spans come one after another. */
  lastTrace: string | undefined
  lastTraceAt = -1
  lastScope: object | undefined
  lastResource: object | undefined
  lastPartsAt = -1

  keep(value: unknown): number {
    return this.refs.push(value) - 1
  }
}

/** A span name the store knows, with the attributes of its last span, and where both are kept in the chunk being written. */
interface NameEntry {
  readonly name: string
  attributes: DtoAttributes | undefined
  /** The serial of the chunk `nameAt` and `attributesAt` refer to. */
  chunk: number
  nameAt: number
  attributesAt: number
  /** The dep names of its last span's events (see depNamesColumn), and their node (see nodeColumn). */
  depNames?: readonly string[]
  nodeColumn?: { readonly all: string }
}

/**
 * Span names repeat (`dep fetch`, `node Answer`), and so do the attributes of a name's spans (a
 * dep's span has the same ones on every run): the store keeps each name, and the attributes of its
 * last span while the next ones are the same, once per chunk. Up to a bound of names.
 */
class SpanNames {
  private readonly entries = new Map<string, NameEntry>()

  entry(name: string): NameEntry {
    let entry = this.entries.get(name)
    if (entry === undefined) {
      entry = { name, attributes: undefined, chunk: 0, nameAt: -1, attributesAt: -1 }
      if (this.entries.size < 10_000) this.entries.set(name, entry)
    }
    return entry
  }

  /** Lets go of what entries hold from chunks older than `serial` (evicted): the store's bounds hold for all it keeps. */
  forgetBefore(serial: number): void {
    for (const entry of this.entries.values()) {
      if (entry.chunk >= serial) continue
      entry.attributes = undefined
      entry.depNames = undefined
      entry.attributesAt = -1
    }
  }
}

/** Whether two attribute objects have the same keys with the same values (an array is never the same: each span has its own copy). */
function sameAttributes(a: DtoAttributes, b: DtoAttributes): boolean {
  let count = 0
  for (const key in a) {
    if (a[key] !== b[key] || !Object.prototype.hasOwnProperty.call(b, key)) return false
    count++
  }
  for (const key in b) if (Object.prototype.hasOwnProperty.call(b, key)) count--
  return count === 0
}

function isEmpty(attributes: object): boolean {
  for (const _ in attributes) return false
  return true
}

/** The value of a hex digit's character code, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  const lower = code | 32
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}

/** Whether `id` is 16 hex digits: then it is written as two 32-bit words at `ints[at]`. */
function writeId(ints: Int32Array, at: number, id: string): boolean {
  if (id.length !== 16) return false
  let high = 0
  let low = 0
  for (let i = 0; i < 8; i++) {
    const a = hexDigit(id.charCodeAt(i))
    const b = hexDigit(id.charCodeAt(i + 8))
    if (a < 0 || b < 0) return false
    high = (high << 4) | a
    low = (low << 4) | b
  }
  ints[at] = high
  ints[at + 1] = low
  return true
}

/** The size estimate of attributes: their strings, and a little for anything else. */
function sizeOf(attributes: DtoAttributes): number {
  let bytes = 0
  for (const key in attributes) {
    const value = attributes[key]
    bytes += typeof value === 'string' ? value.length * 2 : 16
  }
  return bytes
}

/**
 * The finished spans of a timeline, oldest first, bounded by count and by size (the oldest go
 * first). A span costs the store a slot in a chunk's columns; DTOs and feed batches are made when
 * asked for.
 */
export class SpanStore {
  /** Span number `first + i` is in chunk `i >> 10`, slot `i & 1023`. */
  private chunks: Chunk[] = []
  private first = 0
  /** The number of the oldest span still stored, and of the next to be stored. */
  head = 0
  next = 0
  private bytes = 0
  private chunksMade = 0
  private readonly names = new SpanNames()
  /** Spans dropped to keep the store bounded. */
  evicted = 0

  constructor(
    private readonly maxSpans: number,
    private readonly maxBytes: number
  ) {}

  get size(): number {
    return this.next - this.head
  }

  /** Stores a finished span with its dep events (placed by `startedAt`, see packedEventsOf); returns its number. */
  add(span: ReadableSpan, deps: DepEventColumns | undefined, startedAt: number): number {
    const index = this.next - this.first
    let chunk = this.chunks[index >> 10]
    if (!chunk) this.chunks.push((chunk = new Chunk(++this.chunksMade)))
    this.bytes += this.write(chunk, index & (CHUNK - 1), span, deps, startedAt)
    const number = this.next++
    this.evict(0)
    return number
  }

  /** Writes a span into a chunk's slot; returns its size estimate. */
  private write(chunk: Chunk, slot: number, span: ReadableSpan, deps: DepEventColumns | undefined, startedAt: number): number {
    const { traceId, spanId } = span.spanContext()
    const { ints, times } = chunk
    const i = slot * INTS
    let bytes = 200 + (span.events.length + (deps?.names.length ?? 0)) * 100
    if (traceId !== chunk.lastTrace) {
      chunk.lastTrace = traceId
      // Lowercase, as DTOs have ids (a remote parent's may come in capitals).
      chunk.lastTraceAt = chunk.keep(traceId.toLowerCase())
    }
    ints[i + TRACE] = chunk.lastTraceAt
    const { instrumentationScope, resource } = span
    if (instrumentationScope !== chunk.lastScope || resource !== chunk.lastResource) {
      chunk.lastScope = instrumentationScope
      chunk.lastResource = resource
      chunk.lastPartsAt = chunk.keep(partsOf(span))
    }
    ints[i + PARTS] = chunk.lastPartsAt
    const entry = this.names.entry(span.name)
    if (entry.chunk !== chunk.serial) {
      entry.chunk = chunk.serial
      entry.nameAt = chunk.keep(entry.name)
      entry.attributesAt = -1
    }
    ints[i + NAME] = entry.nameAt
    const attributes = span.attributes as DtoAttributes
    if (attributes === entry.attributes && entry.attributesAt >= 0) ints[i + ATTRIBUTES] = entry.attributesAt
    else if (isEmpty(attributes)) ints[i + ATTRIBUTES] = -1
    else {
      const last = entry.attributes
      if (entry.attributesAt < 0 || last === undefined || !sameAttributes(last, attributes)) {
        // Kept (and counted) once a chunk while the next spans of the name have the same.
        entry.attributes = attributes
        entry.attributesAt = chunk.keep(attributes)
        bytes += sizeOf(attributes)
      }
      ints[i + ATTRIBUTES] = entry.attributesAt
    }
    const events = packedEventsOf(span, deps, startedAt, entry)
    ints[i + EVENTS] = events ? chunk.keep(events) : -1
    const parent = span.parentSpanContext?.spanId
    let flags = parent === undefined ? 0 : HAS_PARENT
    // Cortex's spans know their ids' words; others' ids are read from their hex.
    const own = span instanceof RecordingSpan ? span : undefined
    if (own?.idWords) {
      ints[i + SPAN_HIGH] = own.idHigh
      ints[i + SPAN_LOW] = own.idLow
    } else if (!writeId(ints, i + SPAN_HIGH, spanId)) flags |= ODD_IDS
    if (own?.parentWords) {
      ints[i + PARENT_HIGH] = own.parentHigh
      ints[i + PARENT_LOW] = own.parentLow
    } else if (parent !== undefined && !writeId(ints, i + PARENT_HIGH, parent)) flags |= ODD_IDS
    ints[i + FLAGS] = flags
    if (span.links.length || span.status.message || flags & ODD_IDS) {
      const rare: RareParts = {
        links: span.links.length
          ? span.links.map((link) => ({
              traceId: link.context.traceId.toLowerCase(),
              spanId: link.context.spanId.toLowerCase(),
              attributes: (link.attributes ?? {}) as DtoAttributes
            }))
          : NONE,
        ...(span.status.message ? { statusMessage: span.status.message } : {}),
        ...(flags & ODD_IDS ? { spanId: spanId.toLowerCase(), ...(parent !== undefined ? { parentSpanId: parent.toLowerCase() } : {}) } : {})
      }
      ints[i + RARE] = chunk.keep(rare)
    } else ints[i + RARE] = -1
    ints[i + KIND] = span.kind
    ints[i + STATUS] = span.status.code
    const t = slot * 4
    times[t] = span.startTime[0]
    times[t + 1] = span.startTime[1]
    times[t + 2] = span.endTime[0]
    times[t + 3] = span.endTime[1]
    chunk.bytes[slot] = bytes
    return bytes
  }

  /** Drops the oldest spans beyond the bounds, and `extra` more (at least one is kept). */
  evict(extra: number): void {
    let drop = extra
    while (this.next - this.head > 1 && (drop > 0 || this.next - this.head > this.maxSpans || this.bytes > this.maxBytes)) {
      const index = this.head - this.first
      this.bytes -= this.chunks[index >> 10]!.bytes[index & (CHUNK - 1)]!
      this.head++
      this.evicted++
      drop--
    }
    // Whole chunks behind the head go (the chunk being written stays), and what names kept from them.
    const oldest = this.chunks[0]
    while (this.head - this.first >= CHUNK && this.chunks.length > 1) {
      this.chunks.shift()
      this.first += CHUNK
    }
    if (this.chunks[0] !== oldest) this.names.forgetBefore(this.chunks[0]!.serial)
  }

  /** The DTO of stored span `number`. */
  dto(number: number): SpanDto {
    const index = number - this.first
    return unpackSpan(this.chunks[index >> 10]!, index & (CHUNK - 1))
  }

  /** The DTOs of the stored spans from number `from` on. */
  dtos(from: number): SpanDto[] {
    const start = Math.max(from, this.head)
    const spans = new Array<SpanDto>(Math.max(0, this.next - start))
    for (let number = start; number < this.next; number++) spans[number - start] = this.dto(number)
    return spans
  }

  /**
   * The stored spans from number `from` on, packed for the feed: their columns copied (base64 of
   * the typed arrays), the objects they refer to in a table of the batch's own, each once. No DTO,
   * id or time string is made.
   */
  packed(from: number): PackedSpansWire {
    const start = Math.max(from, this.head)
    const count = Math.max(0, this.next - start)
    const ints = new Int32Array(count * INTS)
    const times = new Float64Array(count * 4)
    const refs: unknown[] = []
    for (let k = 0; k < count;) {
      const index = start + k - this.first
      const chunk = this.chunks[index >> 10]!
      const slot = index & (CHUNK - 1)
      const n = Math.min(count - k, CHUNK - slot)
      ints.set(chunk.ints.subarray(slot * INTS, (slot + n) * INTS), k * INTS)
      times.set(chunk.times.subarray(slot * 4, (slot + n) * 4), k * 4)
      // The chunk's objects these spans refer to, moved into `refs` (where each went: -1, not yet).
      const moved = new Int32Array(chunk.refs.length).fill(-1)
      for (let i = k * INTS, end = (k + n) * INTS; i < end; i += INTS)
        for (let f = 0; f < REF_FIELDS.length; f++) {
          const at = ints[i + REF_FIELDS[f]!]!
          if (at < 0) continue
          if (moved[at]! < 0) moved[at] = refs.push(chunk.refs[at]) - 1
          ints[i + REF_FIELDS[f]!] = moved[at]!
        }
      k += n
    }
    return { ints: base64(ints), times: base64(times), refs }
  }
}

/** A typed array's bytes as base64 (in the machine's byte order). */
function base64(array: Int32Array | Float64Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64')
}
