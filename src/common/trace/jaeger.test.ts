import { describe, expect, it } from 'vitest'
import { JAEGER_HOTROD_TEXT } from '../../../test/fixtures/traces'
import { SpanDto } from '../trace-contract'
import { TraceFormatError } from './format-error'
import { decodeJaeger } from './jaeger'

const fixture: unknown = JSON.parse(JAEGER_HOTROD_TEXT)
const TRACE = '00000000000000007a3c1e5b9d2f4a61'
const frontend = { 'client-uuid': '6e1f6b2c3a4d5e6f', hostname: 'hotrod-7d9f', ip: '172.18.0.4', 'jaeger.version': 'Go-2.30.0', 'service.name': 'frontend' }

function errorOf(document: unknown): string {
  try {
    decodeJaeger(document)
  } catch (error) {
    expect(error).toBeInstanceOf(TraceFormatError)
    return (error as Error).message
  }
  throw new Error('decoded without an error')
}

const span = { traceID: 'abc', spanID: '1', operationName: 'op', startTime: 1, duration: 2, processID: 'p1' }
const trace = (spans: unknown[], processes: unknown = { p1: { serviceName: 's' } }) => ({ data: [{ traceID: 'abc', spans, processes }] })

describe('Jaeger JSON import', () => {
  it('maps a realistic trace: ids, times, references, tags, logs, processes', () => {
    const spans = decodeJaeger(fixture)
    expect(SpanDto.array().parse(spans)).toStrictEqual(spans)
    expect(spans).toStrictEqual([
      {
        traceId: TRACE,
        spanId: '7a3c1e5b9d2f4a61',
        name: 'HTTP GET /dispatch',
        kind: 'server',
        startTime: '1752000000123456000',
        endTime: '1752000000835801000',
        attributes: {
          'sampler.type': 'const',
          'sampler.param': true,
          'http.method': 'GET',
          'http.url': '/dispatch?customer=123&nonse=0.1',
          'http.status_code': 200,
          component: 'net/http'
        },
        events: [
          { name: 'HTTP request received', time: '1752000000123900000', attributes: { level: 'info', method: 'GET' } },
          { name: 'log', time: '1752000000124100000', attributes: { level: 'info', customer_id: 123 } }
        ],
        links: [],
        status: { code: 'unset' },
        resource: frontend,
        scope: { name: '' }
      },
      {
        traceId: TRACE,
        spanId: '2f1b6d0c9e8a7b35',
        parentSpanId: '7a3c1e5b9d2f4a61',
        name: 'SQL SELECT',
        kind: 'client',
        startTime: '1752000000130000000',
        endTime: '1752000000431210000',
        attributes: {
          'peer.service': 'mysql',
          'sql.query': 'SELECT * FROM customer WHERE customer_id=123',
          'db.rows': '9007199254740993',
          'db.load': 0.375,
          'db.cache_digest': '3q2+7w==',
          'jaeger.warnings': ['clock skew adjustment disabled; not applying calculated delta of 35µs']
        },
        events: [{ name: 'Waiting for lock behind 1 transactions', time: '1752000000130500000', attributes: { blockers: '["a2"]' } }],
        links: [],
        status: { code: 'unset' },
        resource: { hostname: 'hotrod-7d9f', ip: '172.18.0.4', 'service.name': 'mysql' },
        scope: { name: 'hotrod/mysql', version: '1.2.0' }
      },
      {
        traceId: TRACE,
        spanId: '5c9d0e1f2a3b4c5d',
        parentSpanId: '7a3c1e5b9d2f4a61',
        name: 'FindDriverIDs',
        kind: 'client',
        startTime: '1752000000440000000',
        endTime: '1752000000460100000',
        attributes: { 'param.location': '115,277' },
        events: [{ name: 'error', time: '1752000000460000000', attributes: { 'error.object': 'redis timeout' } }],
        links: [],
        status: { code: 'error', message: 'redis timeout' },
        resource: { 'service.name': 'redis' },
        scope: { name: '' }
      },
      {
        traceId: TRACE,
        spanId: '9e8d7c6b5a493827',
        name: 'audit.write',
        kind: 'consumer',
        startTime: '1752000000840000000',
        endTime: '1752000000845000000',
        attributes: { 'queue.depth': 3 },
        events: [],
        links: [
          { traceId: TRACE, spanId: '7a3c1e5b9d2f4a61', attributes: {} },
          // CHILD_OF a span of another trace: a parent must be in the same trace, so it is a link.
          { traceId: '00000000000000001c2d3e4f5a6b7c8d', spanId: '1c2d3e4f5a6b7c8d', attributes: {} }
        ],
        status: { code: 'ok' },
        resource: frontend,
        scope: { name: '' }
      }
    ])
    // Spans of one process share its resource.
    expect(spans[3]!.resource).toBe(spans[0]!.resource)
  })

  it('reads a bare trace object, inline processes, the legacy parentSpanID and a second CHILD_OF as a link', () => {
    const bare = {
      traceID: 'ABC',
      spans: [
        { ...span, processID: undefined, process: { serviceName: 'inline', tags: [{ key: 'v', type: 'int64', value: 2 }] }, parentSpanID: '2' },
        {
          ...span,
          spanID: '3',
          references: [
            { refType: 'CHILD_OF', traceID: 'abc', spanID: '1' },
            { refType: 'CHILD_OF', traceID: 'abc', spanID: '2' }
          ]
        }
      ],
      processes: { p1: { serviceName: 'svc' } }
    }
    const [first, second] = decodeJaeger(bare)
    expect(first).toMatchObject({
      traceId: '0'.repeat(29) + 'abc',
      spanId: '0'.repeat(15) + '1',
      parentSpanId: '0'.repeat(15) + '2',
      resource: { 'service.name': 'inline', v: 2 }
    })
    expect(first).toMatchObject({ startTime: '1000', endTime: '3000' })
    expect(second).toMatchObject({ parentSpanId: '0'.repeat(15) + '1', links: [{ spanId: '0'.repeat(15) + '2' }], resource: { 'service.name': 'svc' } })
  })

  it('what fuzzing found: an infinite float64 kept as its string, times past 2554 refused, a nested warning clipped', () => {
    const deepWarning = JSON.parse(`${'['.repeat(5000)}1${']'.repeat(5000)}`) as unknown
    const [decoded] = decodeJaeger(trace([{ ...span, tags: [{ key: 'big', type: 'float64', value: Infinity }], warnings: [deepWarning] }]))
    expect(decoded?.attributes['big']).toBe('Infinity')
    expect(SpanDto.parse(decoded).attributes['jaeger.warnings']).toEqual(['[object Array]']) // too deep to quote
    expect(errorOf(trace([{ ...span, startTime: 2 ** 60 }]))).toMatch(/startTime is past the latest time a trace can hold/)
    expect(errorOf(trace([{ ...span, startTime: '18446744073709551', duration: '18446744073709551' }]))).toMatch(/startTime \+ duration is past/)
  })

  it('keeps otel.status_description without a status, and takes otel.status_code over error', () => {
    const [plain, both] = decodeJaeger(
      trace([
        { ...span, tags: [{ key: 'otel.status_description', type: 'string', value: 'just text' }] },
        {
          ...span,
          tags: [
            { key: 'error', type: 'bool', value: true },
            { key: 'otel.status_code', type: 'string', value: 'OK' }
          ]
        }
      ])
    )
    expect(plain).toMatchObject({ status: { code: 'unset' }, attributes: { 'otel.status_description': 'just text' } })
    expect(both).toMatchObject({ status: { code: 'ok' }, attributes: {} })
  })

  it.each([
    [trace([{ ...span, spanID: undefined }]), 'data[0].spans[0]: spanID is missing'],
    [trace([span, { ...span, traceID: 'xyz' }]), 'data[0].spans[1]: traceID must be up to 32 hex digits, got "xyz"'],
    [trace([{ ...span, spanID: '12345678901234567' }]), 'data[0].spans[0]: spanID must be up to 16 hex digits'],
    [trace([{ ...span, processID: 'p9' }]), 'data[0].spans[0]: processID "p9" is not in the trace\'s processes'],
    [trace([{ ...span, processID: 'toString' }]), 'processID "toString" is not in the trace\'s processes'],
    [trace([{ ...span, startTime: 'soon' }]), 'data[0].spans[0]: startTime must be a non-negative number of microseconds, got "soon"'],
    [trace([{ ...span, duration: undefined }]), 'data[0].spans[0]: duration is missing'],
    [
      trace([{ ...span, references: [{ refType: 'PARENT_OF', spanID: '2' }] }]),
      'data[0].spans[0].references[0]: refType must be CHILD_OF or FOLLOWS_FROM, got "PARENT_OF"'
    ],
    [trace([{ ...span, tags: [{ key: 'k', type: 'uuid', value: 'x' }] }]), 'data[0].spans[0].tags[0].type: unknown tag type "uuid"'],
    [trace([{ ...span, tags: [{ key: 'k', type: 'int64', value: 'many' }] }]), 'data[0].spans[0].tags[0].value: not a valid int64 value: "many"'],
    [trace([{ ...span, logs: [{ fields: [] }] }]), 'data[0].spans[0].logs[0]: timestamp is missing'],
    [trace([{ ...span, logs: [{ timestamp: 1, fields: [{ type: 'string', value: 'x' }] }] }]), 'data[0].spans[0].logs[0].fields[0]: key must be a string'],
    [trace([span], { p1: 'frontend' }), 'data[0].processes.p1: expected a process object, got "frontend"'],
    [{ data: [{ traceID: 'abc' }] }, 'data[0].spans: spans is missing'],
    [{ data: [null] }, 'data[0]: expected a trace object, got null'],
    [{ resourceSpans: [] }, 'expected Jaeger JSON ({ data: [{ traceID, spans, processes }] }), got {"resourceSpans":[]}']
  ])('%#: %s', (document, message) => {
    expect(errorOf(document)).toContain(message)
  })
})
