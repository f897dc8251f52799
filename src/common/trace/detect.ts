/**
 * Trace files in and out: {@link parseTraceFile} recognises the format by its content (the file
 * name only breaks ties), {@link serializeTraceFile} writes OTLP JSON or OTLP JSON Lines.
 */
import type { SpanDto } from '../trace-contract'
import { guarded, TraceFormatError } from './format-error'
import { decodeJaeger } from './jaeger'
import { decodeOtlpJsonLines, encodeOtlpJsonLines } from './jsonl'
import { decodeOtlp, encodeOtlp, type OtlpEncodeOptions } from './otlp'
import { isObject, parseJson } from './util'

/** The trace file formats Cortex reads; it writes the first two. */
export type TraceFileFormat = 'otlp-json' | 'otlp-jsonl' | 'jaeger-json'

/** What {@link parseTraceFile} found. */
export interface ParsedTraceFile {
  spans: SpanDto[]
  format: TraceFileFormat
}

const JSONL_NAME = /\.(jsonl|ndjson)$/i

/**
 * Reads a trace file of any supported format:
 * - one JSON document with `resourceSpans`: OTLP JSON (or OTLP JSON Lines with a single line, when the
 *   file name ends in `.jsonl` / `.ndjson`);
 * - one JSON document with a `data` array of traces (or a single `{ traceID, spans, processes }`): Jaeger JSON;
 * - otherwise, if the first non-blank line is a JSON object on its own: OTLP JSON Lines.
 *
 * Throws {@link TraceFormatError} that says what is wrong and where (line, JSON path).
 */
export function parseTraceFile(text: string, fileName?: string): ParsedTraceFile {
  return guarded(fileName ? `"${fileName}"` : 'the trace file', () => {
    const body = text.replace(/^\uFEFF/, '')
    const namedJsonl = fileName !== undefined && JSONL_NAME.test(fileName)
    if (body.trim() === '') {
      // An empty JSON Lines file is a file with no spans; an empty JSON file is no document at all.
      if (namedJsonl) return { spans: [], format: 'otlp-jsonl' }
      throw new TraceFormatError('the file is empty')
    }
    let document: unknown
    try {
      document = parseJson(body)
    } catch (error) {
      // Not one JSON document: JSON Lines if the first line stands on its own, else the JSON error
      // (for a pretty-printed document with a typo, the whole-document error has the right line).
      if (firstLineIsObject(body)) return { spans: decodeOtlpJsonLines(body), format: 'otlp-jsonl' }
      throw error
    }
    if (isObject(document) && ('resourceSpans' in document || 'resourceMetrics' in document || 'resourceLogs' in document || 'resourceProfiles' in document)) {
      const singleLine = body.trim().indexOf('\n') === -1
      return { spans: decodeOtlp(document), format: namedJsonl && singleLine ? 'otlp-jsonl' : 'otlp-json' }
    }
    if (isObject(document) && (Array.isArray(document['data']) || (Array.isArray(document['spans']) && 'processes' in document))) {
      return { spans: decodeJaeger(document), format: 'jaeger-json' }
    }
    throw new TraceFormatError(
      `not a trace file: expected OTLP JSON ({ resourceSpans: [...] }), OTLP JSON Lines or Jaeger JSON ({ data: [...] }), got ${isObject(document) ? `an object with ${describeKeys(document)}` : Array.isArray(document) ? 'an array' : `a ${typeof document}`}`
    )
  })
}

function firstLineIsObject(text: string): boolean {
  const first = text.split('\n').find((line) => line.trim() !== '')
  if (first === undefined) return false
  try {
    return isObject(JSON.parse(first))
  } catch {
    return false
  }
}

function describeKeys(object: Record<string, unknown>): string {
  const keys = Object.keys(object)
  if (keys.length === 0) return 'no fields'
  const shown = keys.slice(0, 5).map((key) => JSON.stringify(key.length > 30 ? `${key.slice(0, 30)}…` : key))
  return `fields ${shown.join(', ')}${keys.length > 5 ? ', …' : ''}`
}

/**
 * Spans as the text of a trace file: OTLP JSON (one `TracesData`, indented for people who open it)
 * or OTLP JSON Lines (one trace per line). Both end with a newline. Does not redact: run
 * `redactSpans` first for anything that leaves the machine.
 */
export function serializeTraceFile(spans: readonly SpanDto[], format: 'otlp-json' | 'otlp-jsonl', options: OtlpEncodeOptions = {}): string {
  if (format === 'otlp-jsonl') return encodeOtlpJsonLines(spans, options)
  return `${JSON.stringify(encodeOtlp(spans, options), null, 2)}\n`
}
