/**
 * OTLP JSON Lines, the format of the OTLP file exporter
 * (https://opentelemetry.io/docs/specs/otel/protocol/file-exporter/): UTF-8, one JSON-encoded
 * `TracesData` per line, `\n` between lines, preferred extension `.jsonl`.
 *
 * Encoding writes **one line per trace** (spans grouped by traceId, traces in order of first
 * appearance), each line grouped by resource and scope like {@link encodeOtlp}. The file exporter
 * writes one line per export batch instead; per trace is what our files are for: a reader can take a
 * trace from one line, and concatenating two exports (`cat a.jsonl b.jsonl`) stays a valid file.
 * Every line ends with `\n`, so appending lines is safe.
 */
import type { SpanDto } from '../trace-contract'
import { guarded, TraceFormatError } from './format-error'
import { decodeOtlp, encodeOtlp, type OtlpEncodeOptions } from './otlp'
import { parseJson } from './util'

/**
 * Spans as OTLP JSON Lines, one line per trace. Does not redact: run `redactSpans` first for
 * anything that leaves the machine.
 */
export function encodeOtlpJsonLines(spans: readonly SpanDto[], options: OtlpEncodeOptions = {}): string {
  const traces = new Map<string, SpanDto[]>()
  for (const span of spans) {
    const trace = traces.get(span.traceId)
    if (trace) trace.push(span)
    else traces.set(span.traceId, [span])
  }
  let text = ''
  for (const trace of traces.values()) {
    const data = encodeOtlp(trace, options)
    // All of a trace's spans may have been dropped (openSpans: 'drop'): write no empty line for it.
    if (data.resourceSpans.length > 0) text += `${JSON.stringify(data)}\n`
  }
  return text
}

/**
 * Spans of an OTLP JSON Lines file: every non-blank line must be a `TracesData` (or
 * `ExportTraceServiceRequest`) object. Errors name the line, e.g.
 * `line 3: resourceSpans[0].scopeSpans[0].spans[2]: spanId is missing`.
 */
export function decodeOtlpJsonLines(text: string): SpanDto[] {
  return guarded('the OTLP JSON Lines file', () => {
    const spans: SpanDto[] = []
    const lines = text.split('\n')
    for (let index = 0; index < lines.length; index++) {
      // Tolerate CRLF files and a byte order mark; keep leading blanks so columns stay true.
      const line = (index === 0 ? lines[index]!.replace(/^\uFEFF/, '') : lines[index]!).replace(/\r$/, '')
      if (line.trim() === '') continue
      let document: unknown
      try {
        document = parseJson(line)
      } catch (error) {
        throw error instanceof TraceFormatError ? error.atLine(index + 1) : error
      }
      for (const span of decodeOtlp(document, { line: index + 1 })) spans.push(span)
    }
    return spans
  })
}
