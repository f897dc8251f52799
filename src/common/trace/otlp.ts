/**
 * SpanDto[] ⇄ OTLP JSON (`TracesData` / `ExportTraceServiceRequest` in the protobuf JSON mapping of
 * https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding).
 *
 * Decisions:
 * - **Integers and doubles.** A number that is a safe integer (|n| ≤ 2^53 − 1) is written as
 *   `intValue` (a decimal string), any other number as `doubleValue` (so 1e300 or 2^60, which are
 *   only approximately integers in JS, keep their exact double value). On decode, `intValue` becomes
 *   a number when it is a safe integer and otherwise stays a decimal string, the only exact
 *   representation SpanDto has. Non-finite doubles (`"NaN"`, `"Infinity"`) stay strings too: SpanDto
 *   numbers are finite. An integral `doubleValue` from another exporter (3.0) decodes to 3 and would
 *   be written back as `intValue`; what we write ourselves round-trips exactly.
 * - **null** is the empty `AnyValue` (`{}`), as in the protobuf mapping; `bytesValue` decodes to its
 *   base64 text (SpanDto has no bytes type) and is never written.
 * - **Open spans** (no `endTime`) are written without `endTimeUnixNano` (the proto3 default, 0), and a
 *   missing or zero `endTimeUnixNano` decodes to an open span, so a live trace exported mid-run comes
 *   back as it was. OTLP expects ended spans, so exports for other tools can pass `openSpans: 'drop'`.
 * - **Grouping.** Spans are grouped by resource (same attributes, in any key order) and then by scope
 *   (name and version), groups in order of first appearance, spans in their given order within a
 *   group. Decoding yields spans in file order, so input that interleaves resources comes back grouped.
 * - **Ids** are written as lowercase hex (the OTLP JSON rule); a root span has no `parentSpanId`. A
 *   status message is written whenever present (an empty one too) and read back as it is.
 * - **Sharing.** Decoded spans of one resource (and one scope) share that resource's (scope's) object:
 *   treat decoded spans as read-only data.
 * - **Not kept**: trace state, flags, dropped counts, schema URLs and scope attributes (SpanDto has no
 *   place for them).
 */
import type { Attributes, AttributeValue, SpanDto, SpanEventDto } from '../trace-contract'
import { decodeBase64, toHex } from './base64'
import { fail, guarded, TraceFormatError } from './format-error'
import { describe, isObject, setOwn } from './util'

/** An OTLP `AnyValue`: exactly one field set; none set means an empty (null) value. */
export interface OtlpAnyValue {
  stringValue?: string
  boolValue?: boolean
  /** int64: a decimal string (what we write) or a JSON number (also accepted). */
  intValue?: string | number
  /** A number, or `"NaN"`, `"Infinity"`, `"-Infinity"`. */
  doubleValue?: number | string
  arrayValue?: { values?: OtlpAnyValue[] }
  kvlistValue?: { values?: OtlpKeyValue[] }
  /** base64 */
  bytesValue?: string
}

export interface OtlpKeyValue {
  key: string
  value?: OtlpAnyValue
}

export interface OtlpEvent {
  timeUnixNano: string
  name: string
  attributes: OtlpKeyValue[]
}

export interface OtlpLink {
  traceId: string
  spanId: string
  attributes: OtlpKeyValue[]
}

export interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  /** SPAN_KIND_UNSPECIFIED=0, INTERNAL=1, SERVER=2, CLIENT=3, PRODUCER=4, CONSUMER=5 */
  kind: number
  startTimeUnixNano: string
  /** Absent for a span that is still open (see the module comment). */
  endTimeUnixNano?: string
  attributes: OtlpKeyValue[]
  events: OtlpEvent[]
  links: OtlpLink[]
  /** UNSET=0, OK=1, ERROR=2 */
  status: { code: number; message?: string }
}

export interface OtlpScopeSpans {
  scope: { name: string; version?: string }
  spans: OtlpSpan[]
}

export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[] }
  scopeSpans: OtlpScopeSpans[]
}

/** The OTLP JSON document (`TracesData`), as we write it. */
export interface OtlpTracesData {
  resourceSpans: OtlpResourceSpans[]
}

/** Options of the OTLP encoders. */
export interface OtlpEncodeOptions {
  /** What to do with spans that have no end time: keep them without `endTimeUnixNano` (default) or leave them out. */
  openSpans?: 'keep' | 'drop'
}

const KINDS = ['internal', 'server', 'client', 'producer', 'consumer'] as const
type Kind = SpanDto['kind']
const KIND_NUMBER: Record<Kind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 }
const STATUS_NUMBER = { unset: 0, ok: 1, error: 2 } as const
type StatusCode = keyof typeof STATUS_NUMBER
const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error']

// Attribute values nest (arrays, kvlists); a file nesting deeper than this is not telemetry.
const MAX_DEPTH = 64

// ─── Encoding ────────────────────────────────────────────────────────────────────────────────────

/** One attribute value as an OTLP `AnyValue` (see the module comment for numbers and null). */
export function encodeAnyValue(value: AttributeValue): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value }
  if (typeof value === 'boolean') return { boolValue: value }
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return { intValue: String(value) }
    return { doubleValue: Number.isFinite(value) ? value : String(value) }
  }
  if (value === null) return {}
  if (Array.isArray(value)) return { arrayValue: { values: value.map(encodeAnyValue) } }
  return { kvlistValue: { values: encodeAttributes(value) } }
}

/** Attributes as OTLP `KeyValue[]`, in key order. */
export function encodeAttributes(attributes: Attributes): OtlpKeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: encodeAnyValue(value) }))
}

/** A key that is the same for equal attribute sets, whatever their key order. */
function canonical(value: AttributeValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort()
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key] as AttributeValue)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

function encodeSpan(span: SpanDto): OtlpSpan {
  const out: OtlpSpan = {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId !== undefined ? { parentSpanId: span.parentSpanId } : {}),
    name: span.name,
    kind: KIND_NUMBER[span.kind],
    startTimeUnixNano: span.startTime,
    ...(span.endTime !== undefined ? { endTimeUnixNano: span.endTime } : {}),
    attributes: encodeAttributes(span.attributes),
    events: span.events.map((event) => ({ timeUnixNano: event.time, name: event.name, attributes: encodeAttributes(event.attributes) })),
    links: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, attributes: encodeAttributes(link.attributes) })),
    status: { code: STATUS_NUMBER[span.status.code], ...(span.status.message !== undefined ? { message: span.status.message } : {}) }
  }
  return out
}

/**
 * Spans as one OTLP `TracesData`, grouped by resource and then by scope (see the module comment).
 * Does not redact: run `redactSpans` first for anything that leaves the machine.
 */
export function encodeOtlp(spans: readonly SpanDto[], options: OtlpEncodeOptions = {}): OtlpTracesData {
  const resources = new Map<string, { resource: Attributes; scopes: Map<string, OtlpScopeSpans> }>()
  for (const span of spans) {
    if (span.endTime === undefined && options.openSpans === 'drop') continue
    const resourceKey = canonical(span.resource)
    let group = resources.get(resourceKey)
    if (!group) resources.set(resourceKey, (group = { resource: span.resource, scopes: new Map() }))
    const scopeKey = JSON.stringify([span.scope.name, span.scope.version ?? null])
    let scope = group.scopes.get(scopeKey)
    if (!scope) {
      scope = { scope: { name: span.scope.name, ...(span.scope.version !== undefined ? { version: span.scope.version } : {}) }, spans: [] }
      group.scopes.set(scopeKey, scope)
    }
    scope.spans.push(encodeSpan(span))
  }
  return {
    resourceSpans: [...resources.values()].map(({ resource, scopes }) => ({
      resource: { attributes: encodeAttributes(resource) },
      scopeSpans: [...scopes.values()]
    }))
  }
}

// ─── Decoding ────────────────────────────────────────────────────────────────────────────────────

/** Options of {@link decodeOtlp}. */
export interface OtlpDecodeOptions {
  /** The line of a JSON Lines file this document came from, for error messages. */
  line?: number
}

/**
 * Spans of an OTLP JSON document (`TracesData` or `ExportTraceServiceRequest`, already parsed).
 * Accepts the current and the pre-1.0 field names (`instrumentationLibrarySpans`,
 * `instrumentationLibrary`), hex or base64 ids, kinds and status codes as numbers or enum names,
 * and integers as strings or numbers. Throws {@link TraceFormatError} naming the place of anything
 * malformed, e.g. `resourceSpans[0].scopeSpans[1].spans[4]: traceId is missing`.
 */
export function decodeOtlp(document: unknown, options: OtlpDecodeOptions = {}): SpanDto[] {
  try {
    return guarded('the OTLP document', () => decodeTracesData(document))
  } catch (error) {
    throw options.line !== undefined && error instanceof TraceFormatError ? error.atLine(options.line) : error
  }
}

function decodeTracesData(document: unknown): SpanDto[] {
  if (!isObject(document)) fail('', `expected an OTLP JSON object with resourceSpans, got ${describe(document)}`)
  const resourceSpans = document['resourceSpans']
  if (resourceSpans === undefined) {
    const other = ['resourceMetrics', 'resourceLogs', 'resourceProfiles'].find((field) => field in document)
    if (other) fail('', `this is OpenTelemetry ${other.slice('resource'.length).toLowerCase()} data, not traces`)
    // An empty TracesData is `{}` in the proto3 JSON mapping (empty repeated fields are omitted).
    if (Object.keys(document).length === 0) return []
    fail('', 'resourceSpans is missing')
  }
  const spans: SpanDto[] = []
  forEachOf(resourceSpans, 'resourceSpans', (entry, path) => decodeResourceSpans(entry, path, spans))
  return spans
}

function forEachOf(value: unknown, path: string, each: (entry: unknown, path: string) => void): void {
  if (value === undefined || value === null) return
  if (!Array.isArray(value)) fail(path, `expected an array, got ${describe(value)}`)
  value.forEach((entry, index) => each(entry, `${path}[${index}]`))
}

function decodeResourceSpans(entry: unknown, path: string, spans: SpanDto[]): void {
  if (!isObject(entry)) fail(path, `expected an object, got ${describe(entry)}`)
  const resourceValue = entry['resource']
  let resource: Attributes = {}
  if (resourceValue !== undefined && resourceValue !== null) {
    if (!isObject(resourceValue)) fail(`${path}.resource`, `expected an object, got ${describe(resourceValue)}`)
    resource = decodeAttributes(resourceValue['attributes'], `${path}.resource.attributes`)
  }
  // OTLP's rule for the renamed fields: use the new one when present, else the old one (some
  // senders wrote both, carrying the same spans twice).
  const scopesField = entry['scopeSpans'] !== undefined ? 'scopeSpans' : 'instrumentationLibrarySpans'
  forEachOf(entry[scopesField], `${path}.${scopesField}`, (scopeSpans, scopePath) => {
    if (!isObject(scopeSpans)) fail(scopePath, `expected an object, got ${describe(scopeSpans)}`)
    const scopeField = scopeSpans['scope'] !== undefined ? 'scope' : 'instrumentationLibrary'
    const scope = decodeScope(scopeSpans[scopeField], `${scopePath}.${scopeField}`)
    forEachOf(scopeSpans['spans'], `${scopePath}.spans`, (span, spanPath) => spans.push(decodeSpan(span, spanPath, resource, scope)))
  })
}

function decodeScope(value: unknown, path: string): SpanDto['scope'] {
  if (value === undefined || value === null) return { name: '' }
  if (!isObject(value)) fail(path, `expected an object, got ${describe(value)}`)
  const name = optionalString(value['name'], `${path}.name`) ?? ''
  const version = optionalString(value['version'], `${path}.version`)
  return version !== undefined ? { name, version } : { name }
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') fail(path, `expected a string, got ${describe(value)}`)
  return value
}

function decodeSpan(value: unknown, path: string, resource: Attributes, scope: SpanDto['scope']): SpanDto {
  if (!isObject(value)) fail(path, `expected a span object, got ${describe(value)}`)
  const traceId = decodeId(value['traceId'], 16, path, 'traceId')
  const spanId = decodeId(value['spanId'], 8, path, 'spanId')
  const parentSpanId = decodeParentId(value['parentSpanId'], path)
  const startTime = decodeNanos(value['startTimeUnixNano'], path, 'startTimeUnixNano')
  const endTime = decodeNanos(value['endTimeUnixNano'], path, 'endTimeUnixNano', true)
  const span: SpanDto = {
    traceId,
    spanId,
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
    name: optionalString(value['name'], `${path}.name`) ?? '',
    kind: decodeKind(value['kind'], `${path}.kind`),
    startTime,
    ...(endTime !== undefined ? { endTime } : {}),
    attributes: decodeAttributes(value['attributes'], `${path}.attributes`),
    events: [],
    links: [],
    status: decodeStatus(value['status'], `${path}.status`),
    resource,
    scope
  }
  forEachOf(value['events'], `${path}.events`, (event, eventPath) => span.events.push(decodeEvent(event, eventPath)))
  forEachOf(value['links'], `${path}.links`, (link, linkPath) => {
    if (!isObject(link)) fail(linkPath, `expected a link object, got ${describe(link)}`)
    span.links.push({
      traceId: decodeId(link['traceId'], 16, linkPath, 'traceId'),
      spanId: decodeId(link['spanId'], 8, linkPath, 'spanId'),
      attributes: decodeAttributes(link['attributes'], `${linkPath}.attributes`)
    })
  })
  return span
}

function decodeEvent(value: unknown, path: string): SpanEventDto {
  if (!isObject(value)) fail(path, `expected an event object, got ${describe(value)}`)
  return {
    name: optionalString(value['name'], `${path}.name`) ?? '',
    time: decodeNanos(value['timeUnixNano'], path, 'timeUnixNano'),
    attributes: decodeAttributes(value['attributes'], `${path}.attributes`)
  }
}

const HEX_ID = { 8: /^[0-9a-fA-F]{16}$/, 16: /^[0-9a-fA-F]{32}$/ } as const

/**
 * A trace (16 bytes) or span (8 bytes) id as lowercase hex. OTLP JSON says hex, but some exporters
 * follow the plain proto3 mapping and write base64 of the bytes: the lengths never collide (base64
 * of 16 bytes is at most 24 characters, of 8 bytes at most 12), so the length tells them apart.
 */
function decodeId(value: unknown, bytes: 8 | 16, path: string, field: string): string {
  if (value === undefined || value === null || value === '') fail(path, `${field} is missing`)
  if (typeof value !== 'string') fail(path, `${field} must be a hex string, got ${describe(value)}`)
  if (HEX_ID[bytes].test(value)) return value.toLowerCase()
  const decoded = value.length <= 24 ? decodeBase64(value) : undefined
  if (decoded?.length === bytes) return toHex(decoded)
  fail(path, `${field} must be ${bytes * 2} hex digits (or base64 of ${bytes} bytes), got ${describe(value)}`)
}

/** The parent id, or undefined for a root span: the proto3 default (empty) and all zeros both mean none. */
function decodeParentId(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const id = decodeId(value, 8, path, 'parentSpanId')
  return /^0+$/.test(id) ? undefined : id
}

const UINT64_MAX = 2n ** 64n - 1n

/**
 * A fixed64 nanosecond time as a decimal string without leading zeros. The JSON mapping writes
 * 64-bit integers as strings but readers accept numbers too. With `open`, a missing or zero value
 * (the proto3 default) means "no end yet" and gives undefined.
 */
function decodeNanos(value: unknown, path: string, field: string): string
function decodeNanos(value: unknown, path: string, field: string, open: true): string | undefined
function decodeNanos(value: unknown, path: string, field: string, open = false): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (open) return undefined
    fail(path, `${field} is missing`)
  }
  let nanos: bigint
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) nanos = BigInt(value)
  else if (typeof value === 'string' && /^\d{1,25}$/.test(value)) nanos = BigInt(value)
  else fail(path, `${field} must be a non-negative integer (nanoseconds, as a decimal string), got ${describe(value)}`)
  if (nanos > UINT64_MAX) fail(path, `${field} is out of range: ${describe(value)}`)
  if (open && nanos === 0n) return undefined
  return nanos.toString()
}

function decodeKind(value: unknown, path: string): Kind {
  if (value === undefined || value === null) return 'internal'
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 5) return value === 0 ? 'internal' : KINDS[value - 1]!
  if (typeof value === 'string') {
    const name = value.toLowerCase().replace(/^span_kind_/, '')
    // SPAN_KIND_UNSPECIFIED: SpanDto has no such kind, and the SDKs treat it as internal.
    if (name === 'unspecified') return 'internal'
    if ((KINDS as readonly string[]).includes(name)) return name as Kind
    if (/^[0-5]$/.test(name)) return decodeKind(Number(name), path)
  }
  fail(path, `unknown span kind ${describe(value)} (expected 0-5 or SPAN_KIND_INTERNAL, _SERVER, _CLIENT, _PRODUCER, _CONSUMER)`)
}

function decodeStatus(value: unknown, path: string): SpanDto['status'] {
  if (value === undefined || value === null) return { code: 'unset' }
  if (!isObject(value)) fail(path, `expected a status object, got ${describe(value)}`)
  const code = decodeStatusCode(value['code'], `${path}.code`)
  const message = optionalString(value['message'], `${path}.message`)
  return message !== undefined ? { code, message } : { code }
}

function decodeStatusCode(value: unknown, path: string): StatusCode {
  if (value === undefined || value === null) return 'unset'
  if (typeof value === 'number' && (value === 0 || value === 1 || value === 2)) return STATUS_CODES[value]!
  if (typeof value === 'string') {
    const name = value.toLowerCase().replace(/^status_code_/, '')
    if ((STATUS_CODES as readonly string[]).includes(name)) return name as StatusCode
    if (/^[0-2]$/.test(name)) return STATUS_CODES[Number(name)]!
  }
  fail(path, `unknown status code ${describe(value)} (expected 0-2 or STATUS_CODE_UNSET, _OK, _ERROR)`)
}

/** OTLP `KeyValue[]` as attributes; a repeated key keeps its last value. */
export function decodeAttributes(value: unknown, path: string, depth = 0): Attributes {
  const attributes: Attributes = {}
  forEachOf(value, path, (entry, entryPath) => {
    if (!isObject(entry)) fail(entryPath, `expected a {key, value} object, got ${describe(entry)}`)
    const key = entry['key']
    if (typeof key !== 'string') fail(entryPath, `key must be a string, got ${describe(key)}`)
    setOwn(attributes, key, decodeAnyValue(entry['value'], `${entryPath}.value`, depth))
  })
  return attributes
}

/** An OTLP `AnyValue` as an attribute value (see the module comment for numbers, bytes and null). */
export function decodeAnyValue(value: unknown, path: string, depth = 0): AttributeValue {
  if (value === undefined || value === null) return null
  if (!isObject(value)) fail(path, `expected an AnyValue object, got ${describe(value)}`)
  if (depth > MAX_DEPTH) fail(path, `values nest deeper than ${MAX_DEPTH} levels`)
  if ('stringValue' in value) {
    const text = value['stringValue']
    if (typeof text !== 'string') fail(path, `stringValue must be a string, got ${describe(text)}`)
    return text
  }
  if ('boolValue' in value) {
    const flag = value['boolValue']
    if (typeof flag !== 'boolean') fail(path, `boolValue must be true or false, got ${describe(flag)}`)
    return flag
  }
  if ('intValue' in value) return decodeInt(value['intValue'], path)
  if ('doubleValue' in value) return decodeDouble(value['doubleValue'], path)
  if ('arrayValue' in value) {
    const values: AttributeValue[] = []
    const array = value['arrayValue']
    if (array !== null && !isObject(array)) fail(`${path}.arrayValue`, `expected {values: [...]}, got ${describe(array)}`)
    forEachOf(array?.['values'], `${path}.arrayValue.values`, (item, itemPath) => values.push(decodeAnyValue(item, itemPath, depth + 1)))
    return values
  }
  if ('kvlistValue' in value) {
    const list = value['kvlistValue']
    if (list !== null && !isObject(list)) fail(`${path}.kvlistValue`, `expected {values: [...]}, got ${describe(list)}`)
    return decodeAttributes(list?.['values'], `${path}.kvlistValue.values`, depth + 1)
  }
  if ('bytesValue' in value) {
    const bytes = value['bytesValue']
    if (typeof bytes !== 'string' || decodeBase64(bytes) === undefined) fail(path, `bytesValue must be base64, got ${describe(bytes)}`)
    return bytes
  }
  if (Object.keys(value).length === 0) return null
  fail(path, `unknown AnyValue ${describe(value)} (expected stringValue, boolValue, intValue, doubleValue, arrayValue, kvlistValue or bytesValue)`)
}

function decodeInt(value: unknown, path: string): number | string {
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    const number = Number(value)
    // Beyond 2^53 a JS number would round: keep the exact digits as a string instead.
    return Number.isSafeInteger(number) ? number : BigInt(value).toString()
  }
  fail(path, `intValue must be an integer (a decimal string or a number), got ${describe(value)}`)
}

function decodeDouble(value: unknown, path: string): number | string {
  // A number too big for a double (1e999 in the file) parses as Infinity: kept as the proto3 JSON
  // string for it, like a "Infinity" written as such (attribute numbers are finite).
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (typeof value === 'string') {
    if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value
    const number = Number(value)
    if (value.trim() !== '' && Number.isFinite(number)) return number
  }
  fail(path, `doubleValue must be a number, got ${describe(value)}`)
}
