import type { AttributeValue, SpanDto } from '../../../common/trace-contract'

/** One line of the waterfall: a span, where it sits in its tree, and its times in epoch milliseconds. */
export interface TimelineRow {
  readonly span: SpanDto
  readonly depth: number
  readonly hasChildren: boolean
  readonly collapsed: boolean
  /** Whether it matches the search (false without one). */
  readonly match: boolean
  readonly startMs: number
  /** Absent while the span is open. */
  readonly endMs: number | undefined
}

export interface TimelineView {
  readonly rows: readonly TimelineRow[]
  /** The time range of the spans shown (an open span counts up to its start: it reaches "now", which the caller knows). */
  readonly startMs: number
  readonly endMs: number
  readonly matches: number
  /** How many of the rows are open spans. */
  readonly open: number
}

export interface TimelineOptions {
  /** Span ids whose children are hidden. */
  readonly collapsed: ReadonlySet<string>
  readonly query: string
  /** Only the spans that match, with their ancestors for context. */
  readonly matchesOnly: boolean
}

/** Nanoseconds since the epoch (a decimal string) as epoch milliseconds, keeping microseconds. */
export function nanosToMs(nanos: string): number {
  if (nanos.length <= 6) return Number(nanos) / 1e6
  return Number(nanos.slice(0, -6)) + Number(nanos.slice(-6)) / 1e6
}

function valueText(value: AttributeValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Whether the span's name, an attribute key or value, or an event name contains `query` (any case). */
export function spanMatches(span: SpanDto, query: string): boolean {
  const needle = query.trim().toLowerCase()
  if (!needle) return false
  if (span.name.toLowerCase().includes(needle)) return true
  for (const [key, value] of Object.entries(span.attributes)) {
    if (key.toLowerCase().includes(needle) || valueText(value).toLowerCase().includes(needle)) return true
  }
  return span.events.some((event) => event.name.toLowerCase().includes(needle))
}

/**
 * The waterfall: traces in order of their first span, each a tree (children in order of start);
 * a span whose parent is not known (not recorded, or not imported) is a root of its trace.
 * Linear in the spans plus the sorts, so 10,000 spans rebuild within a frame.
 */
export function buildTimeline(spans: readonly SpanDto[], options: TimelineOptions): TimelineView {
  const byId = new Map<string, SpanDto>()
  for (const span of spans) byId.set(span.spanId, span)
  const start = new Map<string, number>()
  for (const span of byId.values()) start.set(span.spanId, nanosToMs(span.startTime))
  const children = new Map<string, SpanDto[]>()
  const roots: SpanDto[] = []
  for (const span of byId.values()) {
    const parent = span.parentSpanId !== undefined && byId.has(span.parentSpanId) ? span.parentSpanId : undefined
    if (parent === undefined) roots.push(span)
    else {
      const siblings = children.get(parent)
      if (siblings) siblings.push(span)
      else children.set(parent, [span])
    }
  }
  const byStart = (a: SpanDto, b: SpanDto) => start.get(a.spanId)! - start.get(b.spanId)!
  for (const siblings of children.values()) siblings.sort(byStart)
  // Traces in order of their earliest root; the roots of one trace together.
  const firstOfTrace = new Map<string, number>()
  for (const root of roots) firstOfTrace.set(root.traceId, Math.min(firstOfTrace.get(root.traceId) ?? Infinity, start.get(root.spanId)!))
  roots.sort((a, b) => firstOfTrace.get(a.traceId)! - firstOfTrace.get(b.traceId)! || a.traceId.localeCompare(b.traceId) || byStart(a, b))

  const searching = options.query.trim() !== ''
  const matching = new Set<string>()
  if (searching) for (const span of byId.values()) if (spanMatches(span, options.query)) matching.add(span.spanId)
  // With "matches only", a span is shown when it or a descendant matches.
  const shown = new Set<string>()
  if (searching && options.matchesOnly) {
    for (const id of matching) {
      for (let span = byId.get(id); span && !shown.has(span.spanId); span = span.parentSpanId ? byId.get(span.parentSpanId) : undefined) shown.add(span.spanId)
    }
  }

  const rows: TimelineRow[] = []
  let startMs = Infinity
  let endMs = -Infinity
  let open = 0
  const visit = (span: SpanDto, depth: number) => {
    if (searching && options.matchesOnly && !shown.has(span.spanId)) return
    const kids = children.get(span.spanId) ?? []
    // A collapsed span hides its children, except on the way to a match when showing matches only.
    const collapsed = options.collapsed.has(span.spanId) && !(searching && options.matchesOnly)
    const spanStart = start.get(span.spanId)!
    const spanEnd = span.endTime !== undefined ? nanosToMs(span.endTime) : undefined
    startMs = Math.min(startMs, spanStart)
    endMs = Math.max(endMs, spanEnd ?? spanStart)
    if (spanEnd === undefined) open++
    rows.push({
      span,
      depth,
      hasChildren: kids.length > 0,
      collapsed: options.collapsed.has(span.spanId),
      match: matching.has(span.spanId),
      startMs: spanStart,
      endMs: spanEnd
    })
    if (!collapsed) for (const kid of kids) visit(kid, depth + 1)
  }
  for (const root of roots) visit(root, 0)
  if (!rows.length) return { rows, startMs: 0, endMs: 1, matches: 0, open: 0 }
  return { rows, startMs, endMs: Math.max(endMs, startMs + 0.001), matches: matching.size, open }
}

/** A visible time window, in epoch ms. */
export interface TimeWindow {
  readonly from: number
  readonly to: number
}

/** `window` zoomed by `factor` (< 1 zooms in) around `at`, kept inside `range` and no narrower than 1 µs. */
export function zoom(window: TimeWindow, factor: number, at: number, range: TimeWindow): TimeWindow {
  const width = Math.min(range.to - range.from, Math.max(0.001, (window.to - window.from) * factor))
  const share = window.to > window.from ? (at - window.from) / (window.to - window.from) : 0.5
  return clampWindow({ from: at - width * share, to: at - width * share + width }, range)
}

/** `window` moved by `deltaMs`, kept inside `range`. */
export function pan(window: TimeWindow, deltaMs: number, range: TimeWindow): TimeWindow {
  return clampWindow({ from: window.from + deltaMs, to: window.to + deltaMs }, range)
}

export function clampWindow(window: TimeWindow, range: TimeWindow): TimeWindow {
  const width = Math.min(window.to - window.from, range.to - range.from)
  const from = Math.min(Math.max(window.from, range.from), range.to - width)
  return { from, to: from + width }
}

/** The rows to draw for a scroll position: those in view and `overscan` on each side. */
export function visibleRows(count: number, scrollTop: number, viewportHeight: number, rowHeight: number, overscan = 10): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan)
  const last = Math.min(count, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan)
  return { first, last }
}

/** A duration as people read it: 850 µs, 12.3 ms, 4.56 s, 2 min 5 s. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** Tick positions for an axis over `window`: a round step giving about `count` ticks. */
export function ticks(window: TimeWindow, count: number): number[] {
  const width = window.to - window.from
  if (width <= 0) return [window.from]
  const raw = width / Math.max(1, count)
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw
  const result: number[] = []
  for (let t = Math.ceil(window.from / step) * step; t <= window.to + 1e-9; t += step) result.push(t)
  return result
}

interface GenAiPart {
  type?: string
  content?: unknown
  name?: string
  arguments?: unknown
  response?: unknown
}

/** One part of a GenAI message as text: its content, a tool call as `→ name(arguments)`, a tool result as `← result`. */
function partText(part: GenAiPart): string {
  const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))
  if (part.type === 'tool_call') return `→ ${part.name ?? 'tool'}(${part.arguments === undefined ? '' : asText(part.arguments)})`
  if (part.type === 'tool_call_response') return `← ${asText(part.response)}`
  return asText(part.content)
}

/** A GenAI message list (`gen_ai.input.messages` / `gen_ai.output.messages`) as turns of a conversation. */
export function conversation(span: SpanDto): Array<{ role: string; text: string }> {
  const turns: Array<{ role: string; text: string }> = []
  for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages']) {
    const value = span.attributes[key]
    if (typeof value !== 'string') continue
    try {
      const messages = JSON.parse(value) as Array<{ role?: string; parts?: GenAiPart[] }>
      for (const message of messages) turns.push({ role: message.role ?? 'unknown', text: (message.parts ?? []).map(partText).join('\n') })
    } catch {
      turns.push({ role: key.includes('input') ? 'user' : 'assistant', text: value })
    }
  }
  return turns
}
