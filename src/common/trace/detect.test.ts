import { describe, expect, it } from 'vitest'
import { JAEGER_HOTROD_TEXT, SAMPLE_SPANS, TRACE_A } from '../../../test/fixtures/traces'
import { parseTraceFile, serializeTraceFile } from './detect'
import { TraceFormatError } from './format-error'

const jaegerText = JAEGER_HOTROD_TEXT
const oneLine = JSON.stringify({
  resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_A, spanId: '00f067aa0ba902b7', name: 's', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }]
})

function errorOf(text: string, fileName?: string): string {
  try {
    parseTraceFile(text, fileName)
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFormatError)
    return (error as Error).message
  }
  throw new Error('parsed without an error')
}

describe('parseTraceFile / serializeTraceFile', () => {
  it('round-trips both written formats and recognises each by its content', () => {
    for (const format of ['otlp-json', 'otlp-jsonl'] as const) {
      const text = serializeTraceFile(SAMPLE_SPANS, format)
      expect(text.endsWith('\n')).toBe(true)
      // No file name: the content alone decides.
      expect(parseTraceFile(text)).toStrictEqual({ spans: SAMPLE_SPANS, format })
    }
    expect(serializeTraceFile(SAMPLE_SPANS, 'otlp-json').split('\n').length).toBeGreaterThan(100) // indented for people
  })

  it('recognises Jaeger JSON, as the query API answers and as a single trace object', () => {
    const { spans, format } = parseTraceFile(jaegerText, 'trace.json')
    expect(format).toBe('jaeger-json')
    expect(spans).toHaveLength(4)
    const single = JSON.stringify(JSON.parse(jaegerText).data[0])
    expect(parseTraceFile(single)).toMatchObject({ format: 'jaeger-json', spans: { length: 4 } })
  })

  it('lets the file name decide only between two readings of the same text', () => {
    expect(parseTraceFile(oneLine).format).toBe('otlp-json')
    expect(parseTraceFile(`${oneLine}\n`, 'spans.jsonl').format).toBe('otlp-jsonl')
    expect(parseTraceFile(oneLine, 'SPANS.NDJSON').format).toBe('otlp-jsonl')
    // A name cannot make Jaeger JSON into JSON Lines.
    expect(parseTraceFile(jaegerText, 'trace.jsonl').format).toBe('jaeger-json')
    expect(parseTraceFile('', 'empty.jsonl')).toEqual({ spans: [], format: 'otlp-jsonl' })
    expect(parseTraceFile('\uFEFF' + oneLine).spans).toHaveLength(1)
  })

  it('explains files it cannot read, with the place', () => {
    expect(errorOf('')).toBe('the file is empty')
    expect(errorOf('  \n')).toBe('the file is empty')
    expect(errorOf('{"hello": "world"}')).toBe(
      'not a trace file: expected OTLP JSON ({ resourceSpans: [...] }), OTLP JSON Lines or Jaeger JSON ({ data: [...] }), got an object with fields "hello"'
    )
    expect(errorOf('[1, 2]')).toContain('got an array')
    expect(errorOf('{"resourceLogs": []}')).toBe('this is OpenTelemetry logs data, not traces')
    expect(errorOf('not json at all')).toMatch(/^line 1: invalid JSON at column 1 \(/)
    // A pretty-printed document with a typo: the whole-document error, on its line.
    const broken = serializeTraceFile(SAMPLE_SPANS, 'otlp-json').replace('"kind": 3', '"kind": 3,,')
    const lines = broken.split('\n')
    const typo = lines.findIndex((line) => line.includes('"kind": 3,,'))
    expect(errorOf(broken)).toMatch(new RegExp(`^line ${typo + 1}: invalid JSON at column ${lines[typo]!.indexOf(',,') + 2} \\(`))
    // JSON Lines with a bad third line.
    expect(errorOf(`${oneLine}\n${oneLine}\n{"resourceSpans": [{"scopeSpans": [{"spans": [{}]}]}]}\n`)).toBe(
      'line 3: resourceSpans[0].scopeSpans[0].spans[0]: traceId is missing'
    )
    expect(errorOf(`${oneLine}\n${oneLine.slice(0, 40)}\n`)).toMatch(/^line 2: invalid JSON at column 41 \(/)
    expect(errorOf(JSON.stringify({ data: [{ traceID: 'a', spans: [{ spanID: 'b' }], processes: {} }] }))).toBe('data[0].spans[0]: startTime is missing')
  })

  it('drops open spans on request', () => {
    const text = serializeTraceFile(SAMPLE_SPANS, 'otlp-jsonl', { openSpans: 'drop' })
    expect(parseTraceFile(text).spans).toStrictEqual(SAMPLE_SPANS.filter((span) => span.endTime !== undefined))
  })
})
