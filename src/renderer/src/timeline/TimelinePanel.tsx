import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import type { SpanDto } from '../../../common/trace-contract'
import type { TraceStore } from '../../../common/trace/store'
import type { CortexApi } from '../api/cortex-api'
import { exportTraceFile } from '../files/file-actions'
import { SpanDetail } from './SpanDetail'
import { Minimap } from './Minimap'
import { buildTimeline, clampWindow, formatDuration, pan, ticks, visibleRows, zoom, type TimelineRow, type TimeWindow } from './timeline-model'
import './timeline.css'

const ROW_HEIGHT = 22
/** While spans are open, their bars grow this often. */
const LIVE_TICK_MS = 250

/** A counter that changes (at most once per frame) whenever the store does. */
function useStoreVersion(store: TraceStore): number {
  const [version, setVersion] = useState(0)
  useEffect(() => {
    let frame: number | undefined
    const subscription = store.onDidChange(() => {
      frame ??= requestAnimationFrame(() => {
        frame = undefined
        setVersion((v) => v + 1)
      })
    })
    return () => {
      subscription.dispose()
      if (frame !== undefined) cancelAnimationFrame(frame)
    }
  }, [store])
  return version
}

/** Date.now() at each render; while `live`, a render every LIVE_TICK_MS, so open spans grow. */
function useNow(live: boolean): number {
  const [, setTick] = useState(0)
  useEffect(() => {
    if (!live) return
    const timer = setInterval(() => setTick((t) => t + 1), LIVE_TICK_MS)
    return () => clearInterval(timer)
  }, [live])
  return Date.now()
}

/** What a span is, for its colour: an input, a graph run, a node step, an LM call, a dep, or other. */
export function spanCategory(span: SpanDto): 'input' | 'run' | 'node' | 'lm' | 'dep' | 'other' {
  if (span.name === 'repl.input') return 'input'
  if (span.attributes['gen_ai.operation.name'] === 'chat') return 'lm'
  if (span.name.startsWith('invoke_workflow')) return 'run'
  if (span.name.startsWith('node ')) return 'node'
  if (span.name.startsWith('dep ')) return 'dep'
  return 'other'
}

/**
 * The trace timeline: a waterfall of the session's spans (input → run → node → LM call) on a shared
 * time axis, live. Rows are virtualized (only those in view exist), so 10,000 spans scroll smoothly.
 */
export function TimelinePanel({ api }: { api: CortexApi }) {
  const version = useStoreVersion(api.traces)
  const [query, setQuery] = useState('')
  const [matchesOnly, setMatchesOnly] = useState(false)
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set())
  const [selected, setSelected] = useState<string | undefined>()
  const [zoomed, setZoomed] = useState<TimeWindow | undefined>()
  const [scrollTop, setScrollTop] = useState(0)
  const [viewportHeight, setViewportHeight] = useState(400)
  const [notice, setNotice] = useState<string | undefined>()
  const rowsRef = useRef<HTMLDivElement>(null)
  const fileInput = useRef<HTMLInputElement>(null)
  const now = useNow(api.traces.openCount > 0)

  const view = useMemo(
    () => buildTimeline(api.traces.spans(), { collapsed, query, matchesOnly }),
    // `version` stands for the store's contents.
    [api, version, collapsed, query, matchesOnly]
  )
  // Open spans reach "now": the range grows while a run is in progress.
  const range = { from: view.startMs, to: view.open ? Math.max(view.endMs, now) : view.endMs }
  const shown = zoomed ? clampWindow(zoomed, range) : range
  const { first, last } = visibleRows(view.rows.length, scrollTop, viewportHeight, ROW_HEIGHT)
  const selectedSpan = selected ? api.traces.get(selected) : undefined

  useEffect(() => {
    const element = rowsRef.current
    if (!element) return
    const observer = new ResizeObserver(() => setViewportHeight(element.clientHeight))
    observer.observe(element)
    return () => observer.disconnect()
  }, [])

  // Selecting a span also binds $span and $node in the REPL (the runtime prints what they are).
  const select = (span: SpanDto) => {
    if (span.spanId === selected) return setSelected(undefined)
    setSelected(span.spanId)
    api.selectSpan(span).catch((error: unknown) => setNotice(`could not bind $span: ${(error as Error).message}`))
  }

  const toggle = (spanId: string) =>
    setCollapsed((current) => {
      const next = new Set(current)
      if (next.has(spanId)) next.delete(spanId)
      else next.add(spanId)
      return next
    })

  const onWheel = (event: React.WheelEvent<HTMLDivElement>) => {
    // Ctrl/⌘ + wheel zooms around the pointer; Shift + wheel (or a sideways wheel) pans.
    const bars = event.currentTarget.querySelector('.timeline-axis')?.getBoundingClientRect()
    if (!bars) return
    const at = shown.from + ((event.clientX - bars.left) / bars.width) * (shown.to - shown.from)
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault()
      setZoomed(zoom(shown, event.deltaY > 0 ? 1.25 : 0.8, at, range))
    } else if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
      const delta = (event.shiftKey ? event.deltaY : event.deltaX) / bars.width
      setZoomed(pan(shown, delta * (shown.to - shown.from), range))
    }
  }

  const exportSpans = async (which: 'session' | 'trace') => {
    const outcome = await exportTraceFile(api, which === 'trace' ? selectedSpan?.traceId : undefined)
    if (outcome) setNotice(outcome.text)
  }

  const importFile = async (file: File) => {
    try {
      const { spans, format } = api.importTrace(await file.text(), file.name)
      setNotice(`imported ${spans} spans from ${file.name} (${format})`)
    } catch (error) {
      setNotice(`could not import ${file.name}: ${(error as Error).message}`)
    }
  }

  return (
    <section className="panel timeline" data-testid="timeline">
      <header className="panel-header">
        <span>Traces</span>
        <input
          className="timeline-search"
          type="search"
          placeholder="Search spans"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          data-testid="timeline-search"
          aria-label="Search spans"
        />
        <label className="timeline-toggle">
          <input type="checkbox" checked={matchesOnly} onChange={(e) => setMatchesOnly(e.target.checked)} data-testid="timeline-matches-only" />
          matches only
        </label>
        {query.trim() && <span data-testid="timeline-matches">{view.matches} matches</span>}
        <span className="spacer" />
        {zoomed && (
          <button type="button" onClick={() => setZoomed(undefined)} title="Show the whole time range">
            Fit
          </button>
        )}
        <button type="button" onClick={() => fileInput.current?.click()} title="Open an OTLP JSON / JSON Lines or Jaeger JSON file">
          Import…
        </button>
        <button type="button" onClick={() => void exportSpans('session')} data-testid="timeline-export" title="Every span of this session, as OTLP JSON Lines">
          Export
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,.jsonl,.ndjson"
          hidden
          data-testid="timeline-import"
          onChange={(e) => {
            const file = e.target.files?.[0]
            if (file) void importFile(file)
            e.target.value = ''
          }}
        />
      </header>
      {notice && (
        <div className="timeline-notice" data-testid="timeline-notice" onClick={() => setNotice(undefined)}>
          {notice}
        </div>
      )}
      <Minimap
        rows={view.rows}
        range={range}
        window={shown}
        onWindow={(next) => setZoomed(next.from <= range.from && next.to >= range.to ? undefined : next)}
      />
      <div className="timeline-head">
        <div className="timeline-label" data-testid="timeline-count">
          {view.rows.length ? `${view.rows.length} spans` : 'No spans yet: run a graph'}
        </div>
        <Axis window={shown} origin={range.from} />
      </div>
      <div className="timeline-rows" ref={rowsRef} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} onWheel={onWheel} data-testid="timeline-rows">
        <div style={{ height: view.rows.length * ROW_HEIGHT, position: 'relative' }}>
          {view.rows.slice(first, last).map((row, i) => (
            <Row
              key={row.span.spanId}
              row={row}
              top={(first + i) * ROW_HEIGHT}
              window={shown}
              now={now}
              selected={row.span.spanId === selected}
              onSelect={() => select(row.span)}
              onToggle={() => toggle(row.span.spanId)}
            />
          ))}
        </div>
      </div>
      {selectedSpan && <SpanDetail span={selectedSpan} onClose={() => setSelected(undefined)} onExportTrace={() => void exportSpans('trace')} />}
    </section>
  )
}

function Axis({ window, origin }: { window: TimeWindow; origin: number }) {
  const width = window.to - window.from
  return (
    <div className="timeline-axis">
      {ticks(window, 5).map((t) => (
        <span key={t} className="tick" style={{ left: `${((t - window.from) / width) * 100}%` }}>
          {t === origin ? '0' : `+${formatDuration(t - origin)}`}
        </span>
      ))}
    </div>
  )
}

function Row({
  row,
  top,
  window,
  now,
  selected,
  onSelect,
  onToggle
}: {
  row: TimelineRow
  top: number
  window: TimeWindow
  now: number
  selected: boolean
  onSelect: () => void
  onToggle: () => void
}): ReactNode {
  const { span } = row
  const width = window.to - window.from
  const end = row.endMs ?? Math.max(now, row.startMs)
  const left = ((row.startMs - window.from) / width) * 100
  const size = ((end - row.startMs) / width) * 100
  const error = span.status.code === 'error'
  const category = spanCategory(span)
  const tokens = span.attributes['gen_ai.usage.output_tokens']
  return (
    <div
      className={`timeline-row${selected ? ' selected' : ''}${row.match ? ' match' : ''}`}
      style={{ top, height: ROW_HEIGHT }}
      onClick={onSelect}
      data-testid="timeline-row"
      data-span-name={span.name}
      data-open={row.endMs === undefined ? 'true' : undefined}
    >
      <div className="timeline-label" style={{ paddingLeft: 4 + row.depth * 12 }} title={span.name}>
        {row.hasChildren ? (
          <button
            type="button"
            className="caret"
            aria-label={row.collapsed ? 'expand' : 'collapse'}
            onClick={(e) => {
              e.stopPropagation()
              onToggle()
            }}
          >
            {row.collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span className="caret" />
        )}
        {error && (
          <span className="error-mark" title={span.status.message ?? 'error'}>
            !
          </span>
        )}
        <span className="name">{span.name}</span>
      </div>
      <div className="timeline-track">
        <div
          className={`timeline-bar ${category}${error ? ' error' : ''}${row.endMs === undefined ? ' open' : ''}`}
          style={{ left: `${left}%`, width: `max(2px, ${size}%)` }}
          title={`${span.name}: ${formatDuration(end - row.startMs)}${row.endMs === undefined ? ' so far' : ''}`}
        />
        <span
          className="timeline-duration"
          // After the bar when there is room, else before it: never over it.
          style={left + size < 75 ? { left: `calc(${left + size}% + 4px)` } : { right: `calc(${100 - Math.max(0, left)}% + 4px)` }}
        >
          {formatDuration(end - row.startMs)}
          {typeof tokens === 'number' ? ` · ${tokens} tok` : ''}
        </span>
      </div>
    </div>
  )
}
