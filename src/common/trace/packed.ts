import type { SpanDto } from '../trace-contract'
import { decodeBase64 } from './base64'

/**
 * Finished spans column by column, as the runtime stores them and the live feed sends them: per span
 * {@link INTS} integers and four time numbers, and a table of the strings and objects spans share
 * (a trace id, a name, a dep's attributes, the resource: each kept once however many spans have
 * it). A batch of 50 dep spans is three arrays rather than 50 objects, 100 time strings and 100 id
 * strings: what the runtime spends per span on the feed, and what crosses the process boundary
 * (pitfall 11). A window turns them into {@link SpanDto}s with {@link unpackSpans}.
 *
 * Per span, in `ints` (refs index `refs`, -1 for none):
 * trace id ref, span id (two 32-bit words), parent span id (two words), flags, name ref, kind,
 * status code, attributes ref, events ref ({@link PackedEvents}), rare parts ref
 * ({@link RareParts}), resource-and-scope ref ({@link SharedParts});
 * in `times`: start seconds, start nanoseconds, end seconds, end nanoseconds (since the epoch).
 *
 * On the wire ({@link PackedSpansWire}) the two columns are base64 of their typed arrays (32-bit
 * integers, doubles; little-endian, the byte order of every machine Cortex runs on, and the runtime
 * and its windows are on one machine): one native call to encode, no number formatted in JSON.
 */
export interface PackedSpans {
  readonly ints: ArrayLike<number>
  readonly times: ArrayLike<number>
  readonly refs: readonly unknown[]
}

/** Packed spans as they cross a process boundary. */
export interface PackedSpansWire {
  ints: string
  times: string
  refs: unknown[]
}

export const INTS = 13
export const [TRACE, SPAN_HIGH, SPAN_LOW, PARENT_HIGH, PARENT_LOW, FLAGS, NAME, KIND, STATUS, ATTRIBUTES, EVENTS, RARE, PARTS] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
] as const
/** The refs of a span: what a batch copies from the store's table into its own. */
export const REF_FIELDS = [TRACE, NAME, ATTRIBUTES, EVENTS, RARE, PARTS] as const
/** Flags: the span has a parent; its ids are not 16 hex digits (then its rare parts hold them as strings). */
export const HAS_PARENT = 1
export const ODD_IDS = 2

type Attributes = SpanDto['attributes']
type SpanEvent = SpanDto['events'][number]

/** What every span of a tracer shares: its resource's attributes and its instrumentation scope. */
export interface SharedParts {
  readonly resource: Attributes
  readonly scope: SpanDto['scope']
}

/** What few spans have: links, a status message, ids that are not 16 hex digits. */
export interface RareParts {
  readonly links: SpanDto['links']
  readonly statusMessage?: string | undefined
  readonly spanId?: string
  readonly parentSpanId?: string
}

/**
 * A span's events column by column: a node's dep events are most of what a run records. A column
 * whose values are all the same (the event name, the node of a dep event) is kept once.
 */
export interface PackedEvents {
  readonly count: number
  /** The events' names: one for all, or each event's. */
  readonly names: string | readonly string[]
  /** Each event's time as seconds, nanoseconds, one pair after another. */
  readonly times: ArrayLike<number>
  /** When every event has these attribute keys, in this order (dep events do): `columns` holds their values, key by key. */
  readonly keys?: readonly string[] | undefined
  /** Per key, its values ({@link Column}); without `keys`, each event's attribute object. */
  readonly columns: readonly Column[] | readonly Attributes[]
}

/** One attribute's values across the events: the same for all (`{ all }`), or each event's. */
export type Column = { readonly all: unknown } | ArrayLike<unknown>

const KINDS = ['internal', 'server', 'client', 'producer', 'consumer'] as const
const STATUS_CODES = ['unset', 'ok', 'error'] as const
/** An empty list shared by the DTOs of spans without events or links; never modified. */
export const NONE = Object.freeze([]) as unknown as never[]
// Shared too: most spans have a status without a message.
const STATUSES = STATUS_CODES.map((code) => Object.freeze({ code }))

/** A span's kind (the API's SpanKind number) as a DTO has it. */
export function kindName(kind: number): SpanDto['kind'] {
  return KINDS[kind] ?? 'internal'
}

/** A span's status (the API's code, and a message) as a DTO has it. */
export function statusDto(code: number, message: string | undefined): SpanDto['status'] {
  return message ? { code: STATUS_CODES[code] ?? 'unset', message } : (STATUSES[code] ?? STATUSES[0]!)
}

/** Nanoseconds since the epoch as a decimal string, without BigInt. */
export function nanos(seconds: number, nanoseconds: number): string {
  return seconds > 0 ? `${seconds}${String(nanoseconds).padStart(9, '0')}` : String(nanoseconds)
}

/** The character codes of the hex digits. */
const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]

/** Two 32-bit words as 16 hex digits: one flat string (an id is kept as long as its span). */
export function hex16(a: number, b: number): string {
  return String.fromCharCode(
    HEX[a >>> 28]!,
    HEX[(a >>> 24) & 15]!,
    HEX[(a >>> 20) & 15]!,
    HEX[(a >>> 16) & 15]!,
    HEX[(a >>> 12) & 15]!,
    HEX[(a >>> 8) & 15]!,
    HEX[(a >>> 4) & 15]!,
    HEX[a & 15]!,
    HEX[b >>> 28]!,
    HEX[(b >>> 24) & 15]!,
    HEX[(b >>> 20) & 15]!,
    HEX[(b >>> 16) & 15]!,
    HEX[(b >>> 12) & 15]!,
    HEX[(b >>> 8) & 15]!,
    HEX[(b >>> 4) & 15]!,
    HEX[b & 15]!
  )
}

/** Whether packed events (off the wire: anything) hold what they claim, so that unpacking them is bounded by their size. */
function wellFormed({ count, names, times, keys, columns }: PackedEvents): boolean {
  if (!Number.isInteger(count) || count < 0 || !Array.isArray(times) || times.length < count * 2) return false
  if (typeof names !== 'string' && !(Array.isArray(names) && names.length >= count)) return false
  if (!Array.isArray(columns)) return false
  if (keys === undefined) return columns.length >= count
  return (
    Array.isArray(keys) &&
    columns.length === keys.length &&
    columns.every((column) => (Array.isArray(column) ? column.length >= count : typeof column === 'object' && column !== null && 'all' in column))
  )
}

/** At most this many event attributes in one batch off the wire (a batch of 50 ms holds far fewer). */
const MAX_EVENT_CELLS = 500_000

export function unpackEvents(packed: PackedEvents): SpanEvent[] {
  const { count, names, times, keys, columns } = packed
  if (!wellFormed(packed)) throw new Error('packed events that do not hold what they claim')
  const events = new Array<SpanEvent>(count)
  for (let i = 0; i < count; i++) {
    let attributes: Attributes
    if (!keys) attributes = columns[i] as Attributes
    else {
      attributes = {}
      for (let k = 0; k < keys.length; k++) {
        const values = columns[k] as Column
        attributes[keys[k]!] = ('all' in values ? values.all : values[i]) as Attributes[string]
      }
    }
    events[i] = { name: typeof names === 'string' ? names : names[i]!, time: nanos(times[2 * i]!, times[2 * i + 1]!), attributes }
  }
  return events
}

/** Span `index` of packed spans as a DTO. Its objects are the table's own (shared, not copied): an ended span no longer changes. */
export function unpackSpan({ ints, times, refs }: PackedSpans, index: number): SpanDto {
  const i = index * INTS
  const t = index * 4
  const ref = (field: number) => {
    const at = ints[i + field]!
    if (at >= refs.length) throw new Error(`span ${index} refers to object ${at} of ${refs.length}`)
    return at >= 0 ? refs[at] : undefined
  }
  const rare = ref(RARE) as RareParts | undefined
  const events = ref(EVENTS) as PackedEvents | undefined
  const { resource, scope } = ref(PARTS) as SharedParts
  const dto: SpanDto = {
    traceId: ref(TRACE) as string,
    spanId: rare?.spanId ?? hex16(ints[i + SPAN_HIGH]!, ints[i + SPAN_LOW]!),
    name: ref(NAME) as string,
    kind: kindName(ints[i + KIND]!),
    startTime: nanos(times[t]!, times[t + 1]!),
    attributes: (ref(ATTRIBUTES) as Attributes | undefined) ?? {},
    events: events ? unpackEvents(events) : NONE,
    links: rare?.links ?? NONE,
    status: statusDto(ints[i + STATUS]!, rare?.statusMessage),
    resource,
    scope
  }
  if (ints[i + FLAGS]! & HAS_PARENT) dto.parentSpanId = rare?.parentSpanId ?? hex16(ints[i + PARENT_HIGH]!, ints[i + PARENT_LOW]!)
  dto.endTime = nanos(times[t + 2]!, times[t + 3]!)
  return dto
}

/** The columns of packed spans off the wire; throws if they are not base64 of whole spans. */
export function fromWire({ ints, times, refs }: PackedSpansWire): PackedSpans {
  const intBytes = decodeBase64(ints)
  const timeBytes = decodeBase64(times)
  if (!intBytes || !timeBytes) throw new Error('the columns are not base64')
  const count = timeBytes.length / 32
  if (!Number.isInteger(count) || intBytes.length !== count * INTS * 4) throw new Error('the columns of packed spans differ in length')
  return { ints: new Int32Array(intBytes.buffer, 0, count * INTS), times: new Float64Array(timeBytes.buffer, 0, count * 4), refs }
}

/**
 * Every span of a batch, as DTOs. A batch from elsewhere is bounded before it is unpacked: each
 * span has events of its own (the store never shares them), and all of them hold at most
 * MAX_EVENT_CELLS attributes.
 */
export function unpackSpans(packed: PackedSpans): SpanDto[] {
  const count = Math.floor(packed.times.length / 4)
  const seen = new Set<number>()
  let cells = 0
  for (let index = 0; index < count; index++) {
    const at = packed.ints[index * INTS + EVENTS]!
    if (at < 0) continue
    if (seen.has(at)) throw new Error(`spans share the events of object ${at}`)
    seen.add(at)
    const events = packed.refs[at] as Partial<PackedEvents> | undefined
    cells += (Number(events?.count) || 0) * (1 + (Array.isArray(events?.keys) ? events.keys.length : 1))
    if (!(cells <= MAX_EVENT_CELLS)) throw new Error(`more than ${MAX_EVENT_CELLS} event attributes in one batch`)
  }
  const spans = new Array<SpanDto>(count)
  for (let index = 0; index < count; index++) spans[index] = unpackSpan(packed, index)
  return spans
}
