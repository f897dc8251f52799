/**
 * Import of Jaeger JSON: the query API's `/api/traces` answer, which is also what the Jaeger UI's
 * "Download JSON" saves: `{ data: [{ traceID, spans: [...], processes: { p1: {...} } }] }`. A single
 * trace object (`{ traceID, spans, processes }`) is accepted too.
 *
 * Mapping (as the OpenTelemetry Collector's Jaeger translator does):
 * - ids: hex, left-padded to 32 / 16 digits (64-bit Jaeger trace ids, and writers that drop leading zeros);
 * - `startTime` / `duration` / log `timestamp` are microseconds: times become nanoseconds;
 * - the first `CHILD_OF` reference within the same trace is the parent; every other reference
 *   (`FOLLOWS_FROM`, further `CHILD_OF`s, references to other traces) becomes a link. The legacy
 *   `parentSpanID` field is used when there is no such reference;
 * - tags become attributes (types string, bool, int64, float64; binary stays base64 text), except those
 *   that map to span fields and are taken out: `span.kind` → kind; `otel.status_code` /
 *   `otel.status_description` → status, else `error=true` → status error; `otel.scope.name` /
 *   `otel.scope.version` (or the older `otel.library.*`) → scope;
 * - logs become events, named by their `event` field (taken out of the attributes), else `log`;
 * - the process (by `processID`, or inline `process`) becomes the resource: its tags plus `service.name`;
 * - Jaeger's `warnings` about a span are kept as the attribute `jaeger.warnings` (string[]).
 */
import type { Attributes, AttributeValue, SpanDto } from '../trace-contract'
import { fail, guarded } from './format-error'
import { describe, isObject, setOwn } from './util'

type Kind = SpanDto['kind']
const KINDS: readonly string[] = ['internal', 'server', 'client', 'producer', 'consumer']

/**
 * Spans of a Jaeger JSON document (already parsed). Throws {@link TraceFormatError} naming the place
 * of anything malformed, e.g. `data[0].spans[2]: spanID is missing`.
 */
export function decodeJaeger(document: unknown): SpanDto[] {
  return guarded('the Jaeger JSON document', () => {
    const spans: SpanDto[] = []
    if (isObject(document) && Array.isArray(document['data'])) {
      document['data'].forEach((trace, index) => decodeTrace(trace, `data[${index}]`, spans))
    } else if (isObject(document) && Array.isArray(document['spans'])) {
      decodeTrace(document, '', spans)
    } else {
      fail('', `expected Jaeger JSON ({ data: [{ traceID, spans, processes }] }), got ${describe(document)}`)
    }
    return spans
  })
}

/** `path.field`, or just `field` at the top. */
function at(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`
}

function decodeTrace(trace: unknown, path: string, spans: SpanDto[]): void {
  if (!isObject(trace)) fail(path, `expected a trace object, got ${describe(trace)}`)
  const processes = trace['processes']
  if (processes !== undefined && processes !== null && !isObject(processes)) fail(at(path, 'processes'), `expected an object, got ${describe(processes)}`)
  // One resource object per process, shared by its spans.
  const resources = new Map<string, Attributes>()
  const resourceOf = (id: string, spanPath: string): Attributes => {
    let resource = resources.get(id)
    if (!resource) {
      if (!processes || !Object.prototype.hasOwnProperty.call(processes, id)) fail(spanPath, `processID ${describe(id)} is not in the trace's processes`)
      resource = decodeProcess(processes[id], at(path, `processes.${id}`))
      resources.set(id, resource)
    }
    return resource
  }
  const traceId = trace['traceID']
  const spanList = trace['spans']
  if (!Array.isArray(spanList)) fail(at(path, 'spans'), spanList === undefined ? 'spans is missing' : `expected an array, got ${describe(spanList)}`)
  spanList.forEach((span, index) => spans.push(decodeSpan(span, at(path, `spans[${index}]`), traceId, resourceOf)))
}

function decodeProcess(process: unknown, path: string): Attributes {
  if (!isObject(process)) fail(path, `expected a process object, got ${describe(process)}`)
  const resource = decodeTags(process['tags'], at(path, 'tags'))
  const serviceName = process['serviceName']
  if (serviceName !== undefined && serviceName !== null) {
    if (typeof serviceName !== 'string') fail(at(path, 'serviceName'), `expected a string, got ${describe(serviceName)}`)
    // The process's service name is the authoritative one, over any same-named tag.
    setOwn(resource, 'service.name', serviceName)
  }
  return resource
}

/** A hex id left-padded to `digits` (64-bit trace ids; writers that drop leading zeros). */
function decodeId(value: unknown, digits: 16 | 32, path: string, field: string): string {
  if (value === undefined || value === null || value === '') fail(path, `${field} is missing`)
  if (typeof value !== 'string' || !/^[0-9a-fA-F]+$/.test(value) || value.length > digits) {
    fail(path, `${field} must be up to ${digits} hex digits, got ${describe(value)}`)
  }
  return value.toLowerCase().padStart(digits, '0')
}

/** The latest time a span may have, as OTLP stores it: nanoseconds in an unsigned 64-bit integer (the year 2554). */
const MAX_NANOS = 2n ** 64n - 1n

/** Nanoseconds that fit a span's time, or a TraceFormatError. */
function withinTime(nanos: bigint, path: string, field: string): bigint {
  if (nanos > MAX_NANOS) fail(path, `${field} is past the latest time a trace can hold (the year 2554)`)
  return nanos
}

/** A non-negative integer count of microseconds (a number, or digits in a string), as nanoseconds. */
function micros(value: unknown, path: string, field: string): bigint {
  if (value === undefined || value === null) fail(path, `${field} is missing`)
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return withinTime(BigInt(value) * 1000n, path, field)
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(path, `${field} must be a non-negative number of microseconds, got ${describe(value)}`)
  const whole = Math.trunc(value)
  // Fractions of a microsecond (rare, but some writers have them) are kept to the nanosecond.
  return withinTime(BigInt(whole) * 1000n + BigInt(Math.round((value - whole) * 1000)), path, field)
}

function decodeSpan(value: unknown, path: string, traceTraceId: unknown, resourceOf: (id: string, path: string) => Attributes): SpanDto {
  if (!isObject(value)) fail(path, `expected a span object, got ${describe(value)}`)
  const traceId = decodeId(value['traceID'] ?? traceTraceId, 32, path, 'traceID')
  const spanId = decodeId(value['spanID'], 16, path, 'spanID')
  const name = value['operationName'] ?? ''
  if (typeof name !== 'string') fail(at(path, 'operationName'), `expected a string, got ${describe(name)}`)
  const start = micros(value['startTime'], path, 'startTime')
  const end = withinTime(start + micros(value['duration'], path, 'duration'), path, 'startTime + duration')

  let parentSpanId: string | undefined
  const links: SpanDto['links'] = []
  const references = value['references']
  if (references !== undefined && references !== null) {
    if (!Array.isArray(references)) fail(at(path, 'references'), `expected an array, got ${describe(references)}`)
    references.forEach((reference, index) => {
      const refPath = at(path, `references[${index}]`)
      if (!isObject(reference)) fail(refPath, `expected a reference object, got ${describe(reference)}`)
      const refType = reference['refType']
      if (refType !== 'CHILD_OF' && refType !== 'FOLLOWS_FROM') fail(refPath, `refType must be CHILD_OF or FOLLOWS_FROM, got ${describe(refType)}`)
      const ref = { traceId: decodeId(reference['traceID'] ?? traceId, 32, refPath, 'traceID'), spanId: decodeId(reference['spanID'], 16, refPath, 'spanID') }
      // A parent lives in the same trace; OTLP has nowhere else for a second parent than a link.
      if (refType === 'CHILD_OF' && parentSpanId === undefined && ref.traceId === traceId) parentSpanId = ref.spanId
      else links.push({ ...ref, attributes: {} })
    })
  }
  const legacyParent = value['parentSpanID']
  if (parentSpanId === undefined && legacyParent !== undefined && legacyParent !== null && legacyParent !== '') {
    const id = decodeId(legacyParent, 16, path, 'parentSpanID')
    if (!/^0+$/.test(id)) parentSpanId = id
  }

  const attributes = decodeTags(value['tags'], at(path, 'tags'))
  const kind = takeKind(attributes)
  const status = takeStatus(attributes)
  const scope = takeScope(attributes)
  const warnings = value['warnings']
  if (Array.isArray(warnings) && warnings.length > 0)
    setOwn(
      attributes,
      'jaeger.warnings',
      // Jaeger writes strings here; anything else is shown as describe() would (String() of a deeply nested array overflows the stack).
      warnings.map((warning) => (typeof warning === 'string' ? warning : describe(warning)))
    )

  const events: SpanDto['events'] = []
  const logs = value['logs']
  if (logs !== undefined && logs !== null) {
    if (!Array.isArray(logs)) fail(at(path, 'logs'), `expected an array, got ${describe(logs)}`)
    logs.forEach((log, index) => {
      const logPath = at(path, `logs[${index}]`)
      if (!isObject(log)) fail(logPath, `expected a log object, got ${describe(log)}`)
      const fields = decodeTags(log['fields'], at(logPath, 'fields'))
      const event = fields['event']
      let eventName = 'log'
      if (typeof event === 'string') {
        eventName = event
        delete fields['event']
      }
      events.push({ name: eventName, time: micros(log['timestamp'], logPath, 'timestamp').toString(), attributes: fields })
    })
  }

  let resource: Attributes = {}
  const processId = value['processID']
  if (typeof processId === 'string' && processId !== '') resource = resourceOf(processId, path)
  else if (value['process'] !== undefined && value['process'] !== null) resource = decodeProcess(value['process'], at(path, 'process'))
  else if (processId !== undefined && processId !== null && processId !== '') fail(at(path, 'processID'), `expected a string, got ${describe(processId)}`)

  return {
    traceId,
    spanId,
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
    name,
    kind,
    startTime: start.toString(),
    endTime: end.toString(),
    attributes,
    events,
    links,
    status,
    resource,
    scope
  }
}

/** Jaeger tags (or log fields) as attributes; a repeated key keeps its last value. */
function decodeTags(value: unknown, path: string): Attributes {
  const attributes: Attributes = {}
  if (value === undefined || value === null) return attributes
  if (!Array.isArray(value)) fail(path, `expected an array of tags, got ${describe(value)}`)
  value.forEach((tag, index) => {
    const tagPath = `${path}[${index}]`
    if (!isObject(tag)) fail(tagPath, `expected a {key, type, value} object, got ${describe(tag)}`)
    const key = tag['key']
    if (typeof key !== 'string') fail(tagPath, `key must be a string, got ${describe(key)}`)
    setOwn(attributes, key, decodeTagValue(tag['type'], tag['value'], tagPath))
  })
  return attributes
}

function decodeTagValue(type: unknown, value: unknown, path: string): AttributeValue {
  if (value === undefined || value === null) return null
  const kind = typeof type === 'string' ? type.toLowerCase() : type
  switch (kind) {
    case 'string':
      if (typeof value === 'string') return value
      // Some writers put a number or a flag under type string: keep what it says.
      if (typeof value === 'number' || typeof value === 'boolean') return String(value)
      break
    case 'bool':
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === 'false') return value === 'true'
      break
    case 'int64':
      if (typeof value === 'number' && Number.isInteger(value)) return value
      if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
        // Like OTLP intValue: exact digits beyond 2^53 stay a string.
        return Number.isSafeInteger(Number(value)) ? Number(value) : BigInt(value).toString()
      }
      break
    case 'float64':
      // Infinity (1e999 in the file) is kept as its string, as OTLP's doubleValue: attribute numbers are finite.
      if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
      if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
      break
    case 'binary':
      // Go's encoding/json writes []byte as base64: keep that text.
      if (typeof value === 'string') return value
      break
    case undefined:
    case null:
      if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
      if (typeof value === 'string' || typeof value === 'boolean') return value
      break
    default:
      fail(at(path, 'type'), `unknown tag type ${describe(type)} (expected string, bool, int64, float64 or binary)`)
  }
  fail(at(path, 'value'), `not a valid ${String(kind ?? 'untyped')} value: ${describe(value)}`)
}

function takeKind(attributes: Attributes): Kind {
  const value = attributes['span.kind']
  if (typeof value !== 'string' || !KINDS.includes(value.toLowerCase())) return 'internal'
  delete attributes['span.kind']
  return value.toLowerCase() as Kind
}

function takeStatus(attributes: Attributes): SpanDto['status'] {
  const code = attributes['otel.status_code']
  const description = attributes['otel.status_description']
  const error = attributes['error']
  let status: SpanDto['status'] = { code: 'unset' }
  if (typeof code === 'string' && ['ok', 'error', 'unset'].includes(code.toLowerCase())) {
    status = { code: code.toLowerCase() as SpanDto['status']['code'] }
    delete attributes['otel.status_code']
  } else if (error === true || error === 'true') {
    status = { code: 'error' }
  }
  // `error` only says what the status says (OpenTracing's convention): it is the status now.
  if (typeof error === 'boolean' || error === 'true' || error === 'false') delete attributes['error']
  // A description belongs to an OK or ERROR status; without one it stays an ordinary tag.
  if (typeof description === 'string' && status.code !== 'unset') {
    status.message = description
    delete attributes['otel.status_description']
  }
  return status
}

function takeScope(attributes: Attributes): SpanDto['scope'] {
  const scope: SpanDto['scope'] = { name: '' }
  for (const prefix of ['otel.library', 'otel.scope']) {
    const name = attributes[`${prefix}.name`]
    const version = attributes[`${prefix}.version`]
    if (typeof name === 'string') {
      scope.name = name
      delete attributes[`${prefix}.name`]
    }
    if (typeof version === 'string') {
      scope.version = version
      delete attributes[`${prefix}.version`]
    }
  }
  return scope
}
