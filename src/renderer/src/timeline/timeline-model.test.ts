import { describe, expect, it } from 'vitest'
import type { SpanDto } from '../../../common/trace-contract'
import { buildTimeline, clampWindow, conversation, formatDuration, nanosToMs, pan, ticks, visibleRows, zoom } from './timeline-model'

const T0 = 1_764_000_000_000 // epoch ms
let next = 0
/** A span starting `at` ms after T0 and lasting `ms` (open without). */
function span(name: string, options: { parent?: SpanDto; trace?: string; at: number; ms?: number; attributes?: SpanDto['attributes'] }): SpanDto {
  const nanos = (ms: number) => (BigInt(T0) * 1_000_000n + BigInt(Math.round(ms * 1e6))).toString()
  return {
    traceId: (options.parent?.traceId ?? options.trace ?? 'a').repeat(32).slice(0, 32),
    spanId: (++next).toString(16).padStart(16, '0'),
    ...(options.parent ? { parentSpanId: options.parent.spanId } : {}),
    name,
    kind: 'internal',
    startTime: nanos(options.at),
    ...(options.ms !== undefined ? { endTime: nanos(options.at + options.ms) } : {}),
    attributes: options.attributes ?? {},
    events: [],
    links: [],
    status: { code: 'unset' },
    resource: {},
    scope: { name: 'cortex' }
  }
}

const none = { collapsed: new Set<string>(), query: '', matchesOnly: false }
const outline = (rows: ReturnType<typeof buildTimeline>['rows']) => rows.map((r) => `${'  '.repeat(r.depth)}${r.span.name}${r.match ? ' *' : ''}`)

describe('buildTimeline', () => {
  const input = span('repl.input', { at: 0, ms: 100 })
  const run = span('invoke_workflow Start', { parent: input, at: 1, ms: 90 })
  const step2 = span('node Plan', { parent: run, at: 50, ms: 40 })
  const step1 = span('node Start', { parent: run, at: 2, ms: 45 })
  const chat = span('chat claude', { parent: step1, at: 5, ms: 30, attributes: { 'gen_ai.request.model': 'claude-sonnet' } })
  const other = span('repl.input', { trace: 'b', at: 200 }) // still open
  const orphan = span('node Lost', { trace: 'c', at: 150, ms: 1 })
  orphan.parentSpanId = 'ffffffffffffffff' // its parent was never recorded
  const spans = [other, step2, chat, run, orphan, step1, input]

  it('nests spans under their parents, in order of start, traces in order of their first span', () => {
    const view = buildTimeline(spans, none)
    expect(outline(view.rows)).toEqual([
      'repl.input',
      '  invoke_workflow Start',
      '    node Start',
      '      chat claude',
      '    node Plan',
      'node Lost',
      'repl.input'
    ])
    expect(view.rows[0]!.hasChildren).toBe(true)
    expect(view.rows[3]!.hasChildren).toBe(false)
  })

  it('spans the whole range, and counts open spans (they reach "now", which the panel adds)', () => {
    const view = buildTimeline(spans, none)
    expect(view.rows.at(-1)!.endMs).toBeUndefined()
    expect(view.open).toBe(1)
    expect(view.startMs).toBe(T0)
    expect(view.endMs).toBe(T0 + 200)
  })

  it('hides the children of a collapsed span', () => {
    const view = buildTimeline(spans, { ...none, collapsed: new Set([run.spanId]) })
    expect(outline(view.rows)).toEqual(['repl.input', '  invoke_workflow Start', 'node Lost', 'repl.input'])
    expect(view.rows[1]!.collapsed).toBe(true)
  })

  it('marks matches of the name, attribute keys and values; "matches only" keeps their ancestors', () => {
    const marked = buildTimeline(spans, { ...none, query: 'SONNET' })
    expect(marked.matches).toBe(1)
    expect(outline(marked.rows)).toContain('      chat claude *')
    const only = buildTimeline(spans, { ...none, query: 'sonnet', matchesOnly: true, collapsed: new Set([run.spanId]) })
    expect(outline(only.rows)).toEqual(['repl.input', '  invoke_workflow Start', '    node Start', '      chat claude *'])
  })

  it('builds 10,000 spans quickly', () => {
    const many: SpanDto[] = []
    const root = span('root', { at: 0, ms: 10_000 })
    many.push(root)
    for (let i = 0; i < 9_999; i++) many.push(span(`s${i}`, { parent: many[Math.floor(i / 10)]!, at: i, ms: 1 }))
    const started = performance.now()
    const view = buildTimeline(many, none)
    expect(view.rows).toHaveLength(10_000)
    // A bound a loaded CI machine keeps: the point is "not quadratic" (10^8 steps would take seconds).
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})

describe('time helpers', () => {
  it('reads nanosecond strings as epoch ms, keeping microseconds', () => {
    expect(nanosToMs('1764000000123456789')).toBeCloseTo(1_764_000_000_123.457, 3)
    expect(nanosToMs('1500')).toBe(0.0015)
  })

  it('zooms around a point and pans, never leaving the range', () => {
    const range = { from: 0, to: 100 }
    expect(zoom(range, 0.5, 50, range)).toEqual({ from: 25, to: 75 })
    expect(zoom({ from: 0, to: 50 }, 0.5, 0, range)).toEqual({ from: 0, to: 25 })
    expect(zoom({ from: 0, to: 50 }, 4, 0, range)).toEqual(range)
    expect(pan({ from: 20, to: 40 }, 100, range)).toEqual({ from: 80, to: 100 })
    expect(clampWindow({ from: -10, to: 10 }, range)).toEqual({ from: 0, to: 20 })
  })

  it('picks round ticks and readable durations', () => {
    expect(ticks({ from: 0, to: 100 }, 5)).toEqual([0, 20, 40, 60, 80, 100])
    expect(formatDuration(0.85)).toBe('850 µs')
    expect(formatDuration(12.34)).toBe('12.3 ms')
    expect(formatDuration(4560)).toBe('4.56 s')
    expect(formatDuration(125_000)).toBe('2 min 5 s')
  })

  it('draws only the rows in view', () => {
    expect(visibleRows(10_000, 2200, 440, 22, 5)).toEqual({ first: 95, last: 125 })
  })

  it('reads GenAI messages as a conversation', () => {
    const chat = span('chat', {
      at: 0,
      ms: 1,
      attributes: {
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'what should I wear?' }] }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: '{"top":"sweater"}' }] }])
      }
    })
    expect(conversation(chat)).toEqual([
      { role: 'user', text: 'what should I wear?' },
      { role: 'assistant', text: '{"top":"sweater"}' }
    ])
  })
  it("shows an assistant call's tool calls and tool results, not empty turns", () => {
    const chat = span('chat', {
      at: 0,
      ms: 1,
      attributes: {
        'gen_ai.input.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'inspect', arguments: { path: 'users' } }] },
          { role: 'user', parts: [{ type: 'tool_call_response', id: 't1', response: '[3 users]' }] }
        ])
      }
    })
    expect(conversation(chat)).toEqual([
      { role: 'assistant', text: '→ inspect({"path":"users"})' },
      { role: 'user', text: '← [3 users]' }
    ])
  })
})
