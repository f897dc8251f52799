import { describe, expect, it } from 'vitest'
import { SAMPLE_SPANS, TRACE_A, TRACE_B } from '../../../test/fixtures/traces/sample-spans'
import { decodeOtlpJsonLines, encodeOtlpJsonLines } from './jsonl'
import type { OtlpTracesData } from './otlp'

const base = { traceId: TRACE_A, spanId: '00f067aa0ba902b7', name: 's', startTimeUnixNano: '1', endTimeUnixNano: '2' }
const line = (spans: unknown[]) => JSON.stringify({ resourceSpans: [{ resource: {}, scopeSpans: [{ scope: {}, spans }] }] })

describe('OTLP JSON Lines', () => {
  it('round-trips spans losslessly', () => {
    expect(decodeOtlpJsonLines(encodeOtlpJsonLines(SAMPLE_SPANS))).toStrictEqual(SAMPLE_SPANS)
  })

  it('writes one TracesData line per trace, each ending in a newline', () => {
    const text = encodeOtlpJsonLines(SAMPLE_SPANS)
    expect(text.endsWith('\n')).toBe(true)
    const lines = text.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    const traceIds = lines.map((line) => {
      const data = JSON.parse(line) as OtlpTracesData
      return new Set(data.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.traceId))))
    })
    expect(traceIds).toEqual([new Set([TRACE_A]), new Set([TRACE_B])])
    // Trace B's spans are all of one resource; its line carries that resource once.
    expect(JSON.parse(lines[1]!).resourceSpans).toHaveLength(1)
    expect(encodeOtlpJsonLines([])).toBe('')
  })

  it('leaves out a trace whose spans were all dropped as open', () => {
    const open = SAMPLE_SPANS.filter((span) => span.endTime === undefined)
    expect(encodeOtlpJsonLines(open, { openSpans: 'drop' })).toBe('')
  })

  it('skips blank lines and reads CRLF files; concatenated files stay valid', () => {
    const text = `\r\n${line([base])}\r\n\r\n   \n${line([{ ...base, spanId: '53995c3f42cd8ad8' }])}`
    expect(decodeOtlpJsonLines(text).map((span) => span.spanId)).toEqual(['00f067aa0ba902b7', '53995c3f42cd8ad8'])
    const file = encodeOtlpJsonLines(SAMPLE_SPANS)
    expect(decodeOtlpJsonLines(file + file)).toHaveLength(SAMPLE_SPANS.length * 2)
  })

  it('names the line of a bad span', () => {
    const text = [line([base]), '', line([base, { ...base, spanId: undefined }])].join('\n')
    expect(() => decodeOtlpJsonLines(text)).toThrow('line 3: resourceSpans[0].scopeSpans[0].spans[1]: spanId is missing')
  })

  it('names the line and column of invalid JSON', () => {
    const text = [line([base]), '{"resourceSpans": [}'].join('\n')
    expect(() => decodeOtlpJsonLines(text)).toThrow(/^line 2: invalid JSON at column 20 \(Unexpected token/)
  })

  it('refuses lines that are not traces (the file exporter writes one signal per file)', () => {
    expect(() => decodeOtlpJsonLines(`${line([base])}\n{"resourceMetrics":[]}\n`)).toThrow('line 2: this is OpenTelemetry metrics data, not traces')
    expect(() => decodeOtlpJsonLines(`${line([base])}\n[1, 2]\n`)).toThrow('line 2: expected an OTLP JSON object with resourceSpans, got [1,2]')
  })
})
