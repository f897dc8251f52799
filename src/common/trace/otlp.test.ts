import { describe, expect, it } from 'vitest'
import { SAMPLE_SPANS, TRACE_A } from '../../../test/fixtures/traces/sample-spans'
import { SpanDto } from '../trace-contract'
import { TraceFormatError } from './format-error'
import { decodeAnyValue, decodeOtlp, encodeAnyValue, encodeOtlp, type OtlpTracesData } from './otlp'

/** Through the text, as a file would carry it. */
function viaJson(spans: SpanDto[]): SpanDto[] {
  return decodeOtlp(JSON.parse(JSON.stringify(encodeOtlp(spans))))
}

/** The message decodeOtlp throws for `document`. */
function errorOf(document: unknown): string {
  try {
    decodeOtlp(document)
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFormatError)
    return (error as Error).message
  }
  throw new Error('decoded without an error')
}

function oneSpan(span: Record<string, unknown> | null, scopeField = 'scopeSpans'): unknown {
  return { resourceSpans: [{ resource: { attributes: [] }, [scopeField]: [{ spans: [span] }] }] }
}

const base = { traceId: TRACE_A, spanId: '00f067aa0ba902b7', name: 's', startTimeUnixNano: '1', endTimeUnixNano: '2' }

describe('OTLP JSON', () => {
  it('round-trips spans losslessly: attribute types, events, links, statuses, resources, scopes, an open span', () => {
    const decoded = viaJson(SAMPLE_SPANS)
    expect(decoded).toStrictEqual(SAMPLE_SPANS)
    // And what comes back is valid for the timeline as it is.
    expect(SpanDto.array().parse(decoded)).toStrictEqual(decoded)
  })

  it('writes the protobuf JSON mapping: hex ids, numeric enums, decimal-string times and int64s', () => {
    const data = encodeOtlp(SAMPLE_SPANS)
    expect(data.resourceSpans).toHaveLength(2)
    expect(data.resourceSpans[0]!.resource.attributes).toContainEqual({ key: 'process.pid', value: { intValue: '4242' } })
    expect(data.resourceSpans[0]!.scopeSpans.map((scope) => scope.scope)).toEqual([{ name: 'cortex', version: '0.1.0' }, { name: 'cortex.lm' }])
    expect(data.resourceSpans[1]!.scopeSpans.map((scope) => scope.scope)).toEqual([
      { name: 'opentelemetry.instrumentation.fastapi', version: '0.48b0' },
      { name: '' }
    ])
    const [root, node, chat] = data.resourceSpans[0]!.scopeSpans.flatMap((scope) => scope.spans)
    expect(root).toMatchObject({ traceId: TRACE_A, spanId: '00f067aa0ba902b7', kind: 1, startTimeUnixNano: '1752000000000000000', status: { code: 1 } })
    expect(root).not.toHaveProperty('parentSpanId')
    expect(chat).toMatchObject({ kind: 3, status: { code: 0 } })
    expect(node!.status).toEqual({ code: 2, message: 'ReplayMissError: no recording for pick_outfit' })
    const attribute = (key: string) => node!.attributes.find((kv) => kv.key === key)?.value
    expect(attribute('cortex.dep.duration_ms')).toEqual({ doubleValue: 12.5 })
    expect(attribute('cortex.retries')).toEqual({ intValue: '-1' })
    expect(attribute('approx.big')).toEqual({ doubleValue: 2 ** 60 })
    expect(attribute('maybe.null')).toEqual({})
    expect(attribute('config')).toMatchObject({ kvlistValue: { values: expect.arrayContaining([{ key: 'temperature', value: { doubleValue: 0.7 } }]) } })
    expect(attribute('matrix')).toEqual({
      arrayValue: {
        values: [
          { arrayValue: { values: [{ intValue: '1' }, { intValue: '2' }] } },
          { arrayValue: { values: [{ doubleValue: 3.5 }, { stringValue: 'four' }] } }
        ]
      }
    })
    const open = data.resourceSpans[1]!.scopeSpans[1]!.spans[1]!
    expect(open.kind).toBe(5)
    expect(open).not.toHaveProperty('endTimeUnixNano')
  })

  it('groups interleaved spans by resource and scope, keeping each group in order', () => {
    const [a1, a2, a3, b1, b2, b3] = SAMPLE_SPANS as [SpanDto, SpanDto, SpanDto, SpanDto, SpanDto, SpanDto]
    // The same resource with its keys in another order is the same resource.
    const reordered = { ...b2, resource: Object.fromEntries(Object.entries(b2.resource).reverse()) }
    const data = encodeOtlp([b1, a1, reordered, a3, b3, a2])
    expect(data.resourceSpans.map((r) => r.scopeSpans.map((s) => s.spans.map((span) => span.spanId)))).toEqual([
      [[b1.spanId], [b2.spanId, b3.spanId]],
      [[a1.spanId, a2.spanId], [a3.spanId]]
    ])
  })

  it('drops open spans on request', () => {
    const ids = encodeOtlp(SAMPLE_SPANS, { openSpans: 'drop' }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((span) => span.spanId)))
    expect(ids).toHaveLength(SAMPLE_SPANS.length - 1)
    expect(ids).not.toContain('d1d2d3d4d5d6d7d8')
    // A zero end time is the proto3 default: also open.
    expect(decodeOtlp(oneSpan({ ...base, endTimeUnixNano: '0' }))[0]).not.toHaveProperty('endTime')
  })

  it('reads the pre-1.0 field names instrumentationLibrarySpans / instrumentationLibrary', () => {
    const old = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'legacy' } }] },
          instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'io.opentelemetry.jdbc', version: '1.9.0' }, spans: [base] }]
        }
      ]
    }
    const [span] = decodeOtlp(old)
    expect(span).toMatchObject({ resource: { 'service.name': 'legacy' }, scope: { name: 'io.opentelemetry.jdbc', version: '1.9.0' }, name: 's' })
    // A sender that writes both carries the same spans twice: the new field wins.
    const both = { resourceSpans: [{ scopeSpans: [{ scope: { name: 'new' }, spans: [base] }], instrumentationLibrarySpans: [{ spans: [base] }] }] }
    expect(decodeOtlp(both).map((s) => s.scope.name)).toEqual(['new'])
  })

  it('reads base64 ids (the plain proto3 mapping some exporters use) as hex', () => {
    const traceId = btoa(String.fromCharCode(...TRACE_A.match(/../g)!.map((byte) => parseInt(byte, 16))))
    expect(traceId).toBe('S/kvNXezTaajzpKdDg5HNg==')
    const [span] = decodeOtlp(
      oneSpan({
        ...base,
        traceId,
        spanId: 'APBnqgupArc=',
        parentSpanId: 'U5lcP0LNitg', // unpadded
        links: [{ traceId: 'S_kvNXezTaajzpKdDg5HNg', spanId: 'APBnqgupArc=' }] // URL-safe alphabet
      })
    )
    expect(span).toMatchObject({
      traceId: TRACE_A,
      spanId: '00f067aa0ba902b7',
      parentSpanId: '53995c3f42cd8ad8',
      links: [{ traceId: TRACE_A, spanId: '00f067aa0ba902b7' }]
    })
    // Upper-case hex is hex.
    expect(decodeOtlp(oneSpan({ ...base, traceId: TRACE_A.toUpperCase() }))[0]!.traceId).toBe(TRACE_A)
  })

  it('reads kinds and status codes as numbers or enum names, and root spans written with empty or zero parents', () => {
    const kinds = ['SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_UNSPECIFIED', 0, 2, 4]
    expect(kinds.map((kind) => decodeOtlp(oneSpan({ ...base, kind }))[0]!.kind)).toEqual([
      'server',
      'client',
      'producer',
      'consumer',
      'internal',
      'internal',
      'internal',
      'server',
      'producer'
    ])
    const statuses = [{ code: 'STATUS_CODE_ERROR', message: 'boom' }, { code: 'STATUS_CODE_OK' }, { code: 'STATUS_CODE_UNSET' }, { code: 2 }, {}, undefined]
    expect(statuses.map((status) => decodeOtlp(oneSpan({ ...base, status }))[0]!.status)).toEqual([
      { code: 'error', message: 'boom' },
      { code: 'ok' },
      { code: 'unset' },
      { code: 'error' },
      { code: 'unset' },
      { code: 'unset' }
    ])
    expect(decodeOtlp(oneSpan({ ...base, parentSpanId: '' }))[0]).not.toHaveProperty('parentSpanId')
    expect(decodeOtlp(oneSpan({ ...base, parentSpanId: '0000000000000000' }))[0]).not.toHaveProperty('parentSpanId')
  })

  it('reads times and int64s written as JSON numbers, and keeps int64s beyond 2^53 exact as strings', () => {
    const [span] = decodeOtlp(
      oneSpan({
        ...base,
        startTimeUnixNano: 1752000000000000000,
        endTimeUnixNano: '001752000000000000001',
        attributes: [
          { key: 'n', value: { intValue: 7 } },
          { key: 'big', value: { intValue: '9223372036854775807' } },
          { key: 'neg', value: { intValue: '-9007199254740993' } },
          { key: 'd', value: { doubleValue: '2.5' } },
          { key: 'nan', value: { doubleValue: 'NaN' } },
          { key: 'bytes', value: { bytesValue: '3q2+7w==' } },
          { key: 'empty' },
          { key: 'dup', value: { stringValue: 'first' } },
          { key: 'dup', value: { stringValue: 'last' } }
        ]
      })
    )
    expect(span!.startTime).toBe('1752000000000000000')
    expect(span!.endTime).toBe('1752000000000000001')
    expect(span!.attributes).toStrictEqual({
      n: 7,
      big: '9223372036854775807',
      neg: '-9007199254740993',
      d: 2.5,
      nan: 'NaN',
      bytes: '3q2+7w==',
      empty: null,
      dup: 'last'
    })
  })

  it('keeps an attribute named __proto__ as data, without touching the prototype', () => {
    const [span] = decodeOtlp(
      oneSpan({ ...base, attributes: [{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } }] })
    )
    expect(Object.getPrototypeOf(span!.attributes)).toBe(Object.prototype)
    expect(Object.keys(span!.attributes)).toEqual(['__proto__'])
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(JSON.parse(JSON.stringify(encodeOtlp([span!])))).toMatchObject({
      resourceSpans: [{ scopeSpans: [{ spans: [{ attributes: [{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted' }] } } }] }] }] }]
    })
  })

  it('accepts an empty TracesData ({}) and an empty resourceSpans', () => {
    expect(decodeOtlp({})).toEqual([])
    expect(decodeOtlp({ resourceSpans: [] })).toEqual([])
    expect(encodeOtlp([])).toEqual({ resourceSpans: [] } satisfies OtlpTracesData)
  })

  it('keeps a doubleValue too big for a double (1e999 in the file) as the string Infinity, as the contract wants finite numbers', () => {
    const document = JSON.parse(
      JSON.stringify(oneSpan({ ...base, attributes: [{ key: 'huge', value: { doubleValue: 0 } }] })).replace('"doubleValue":0', '"doubleValue":1e999')
    ) as unknown
    const [decoded] = decodeOtlp(document)
    expect(decoded?.attributes['huge']).toBe('Infinity')
  })

  it('encodes numbers as intValue only when exact, and decodes what it encodes to the same value', () => {
    for (const value of [0, 1, -1, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e21, 0.1, -2.5e-8, Number.MAX_VALUE, Number.MIN_VALUE]) {
      const encoded = JSON.parse(JSON.stringify(encodeAnyValue(value)))
      expect(encoded).toEqual(Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value })
      expect(decodeAnyValue(encoded, 'v')).toBe(value)
    }
  })
})

describe('OTLP JSON errors name the place', () => {
  const nested = {
    resourceSpans: [
      {
        scopeSpans: [{ spans: [] }, { spans: [{ ...base }, { ...base }, { ...base }, { ...base }, { ...base, traceId: undefined }] }]
      }
    ]
  }

  it.each([
    [nested, 'resourceSpans[0].scopeSpans[1].spans[4]: traceId is missing'],
    [oneSpan({ ...base, spanId: 'xyz' }), 'resourceSpans[0].scopeSpans[0].spans[0]: spanId must be 16 hex digits (or base64 of 8 bytes), got "xyz"'],
    [
      oneSpan({ ...base, traceId: '4bf92f3577b34da6' }),
      'resourceSpans[0].scopeSpans[0].spans[0]: traceId must be 32 hex digits (or base64 of 16 bytes), got "4bf92f3577b34da6"'
    ],
    [oneSpan({ ...base, startTimeUnixNano: undefined }), 'resourceSpans[0].scopeSpans[0].spans[0]: startTimeUnixNano is missing'],
    [oneSpan({ ...base, startTimeUnixNano: '-5' }), 'resourceSpans[0].scopeSpans[0].spans[0]: startTimeUnixNano must be a non-negative integer'],
    [oneSpan({ ...base, endTimeUnixNano: '99999999999999999999' }), 'endTimeUnixNano is out of range'],
    [oneSpan({ ...base, kind: 'SPAN_KIND_SIDEWAYS' }), 'resourceSpans[0].scopeSpans[0].spans[0].kind: unknown span kind "SPAN_KIND_SIDEWAYS"'],
    [oneSpan({ ...base, kind: 9 }), 'spans[0].kind: unknown span kind 9'],
    [oneSpan({ ...base, status: { code: 'STATUS_CODE_MAYBE' } }), 'spans[0].status.code: unknown status code "STATUS_CODE_MAYBE"'],
    [oneSpan({ ...base, status: 'ok' }), 'spans[0].status: expected a status object, got "ok"'],
    [oneSpan({ ...base, attributes: [{ key: 'a', value: { intValue: '1.5' } }] }), 'spans[0].attributes[0].value: intValue must be an integer'],
    [
      oneSpan({ ...base, attributes: [{ key: 'a', value: { arrayValue: { values: [{ stringValue: 1 }] } } }] }),
      'spans[0].attributes[0].value.arrayValue.values[0]: stringValue must be a string'
    ],
    [oneSpan({ ...base, attributes: [{ value: { stringValue: 'x' } }] }), 'spans[0].attributes[0]: key must be a string, got undefined'],
    [oneSpan({ ...base, attributes: { a: 1 } }), 'spans[0].attributes: expected an array, got {"a":1}'],
    [oneSpan({ ...base, attributes: [{ key: 'a', value: { mystery: 1 } }] }), 'spans[0].attributes[0].value: unknown AnyValue {"mystery":1}'],
    [oneSpan({ ...base, events: [{ name: 'e' }] }), 'spans[0].events[0]: timeUnixNano is missing'],
    [oneSpan({ ...base, links: [{ traceId: TRACE_A }] }), 'spans[0].links[0]: spanId is missing'],
    [oneSpan({ ...base, name: 42 }), 'spans[0].name: expected a string, got 42'],
    [oneSpan(null), 'resourceSpans[0].scopeSpans[0].spans[0]: expected a span object, got null'],
    [oneSpan({ ...base, spanId: undefined }, 'instrumentationLibrarySpans'), 'resourceSpans[0].instrumentationLibrarySpans[0].spans[0]: spanId is missing'],
    [{ resourceSpans: {} }, 'resourceSpans: expected an array, got {}'],
    [{ resourceSpans: [{ resource: [] }] }, 'resourceSpans[0].resource: expected an object, got []'],
    [{ resourceMetrics: [] }, 'this is OpenTelemetry metrics data, not traces'],
    [{ data: [] }, 'resourceSpans is missing'],
    ['{"resourceSpans": []}', 'expected an OTLP JSON object with resourceSpans, got "{\\"resourceSpans\\": []}"'],
    [null, 'expected an OTLP JSON object with resourceSpans, got null']
  ])('%#: %s', (document, message) => {
    expect(errorOf(document)).toContain(message)
  })

  it('refuses absurdly deep values with a sentence, not a stack overflow', () => {
    let value: unknown = { stringValue: 'deep' }
    for (let depth = 0; depth < 10_000; depth++) value = { arrayValue: { values: [value] } }
    expect(errorOf(oneSpan({ ...base, attributes: [{ key: 'a', value }] }))).toContain('nest deeper than 64 levels')
  })

  it("turns even a hostile object's own TypeError into a TraceFormatError", () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new TypeError('trap')
        }
      }
    )
    expect(errorOf(hostile)).toBe('could not read the OTLP document: trap')
  })

  it('prefixes the line when told the document came from a JSON Lines file', () => {
    expect(() => decodeOtlp(nested, { line: 3 })).toThrow('line 3: resourceSpans[0].scopeSpans[1].spans[4]: traceId is missing')
  })

  it('never throws anything but TraceFormatError, whatever the input', () => {
    const garbage: unknown[] = [
      undefined,
      0,
      'x',
      [],
      [1],
      { resourceSpans: [null] },
      { resourceSpans: [{ scopeSpans: [1] }] },
      { resourceSpans: [{ scopeSpans: [{ scope: 7 }] }] }
    ]
    garbage.push(oneSpan({ ...base, events: 'e' }), oneSpan({ ...base, links: [null] }), oneSpan({ ...base, attributes: [null] }))
    garbage.push(
      oneSpan({ ...base, attributes: [{ key: 'k', value: { kvlistValue: 3 } }] }),
      oneSpan({ ...base, attributes: [{ key: 'k', value: { arrayValue: null } }] })
    )
    for (const document of garbage) {
      try {
        decodeOtlp(document)
      } catch (error) {
        expect(error, JSON.stringify(document)).toBeInstanceOf(TraceFormatError)
      }
    }
  })
})
