import { useEffect, useRef } from 'react'
import type { TimelineRow, TimeWindow } from './timeline-model'

const HEIGHT = 36

/**
 * Every span of the timeline in one strip (a canvas: 10,000 spans cost one draw), with the visible
 * window framed. Drag across it to zoom to a range; click to centre the window there; double-click
 * to see everything.
 */
export function Minimap({
  rows,
  range,
  window: shown,
  onWindow
}: {
  rows: readonly TimelineRow[]
  range: TimeWindow
  window: TimeWindow
  onWindow: (window: TimeWindow) => void
}) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const width = range.to - range.from

  useEffect(() => {
    const element = canvas.current
    if (!element) return
    const ratio = globalThis.devicePixelRatio || 1
    element.width = Math.max(1, element.clientWidth * ratio)
    element.height = HEIGHT * ratio
    const context = element.getContext('2d')
    if (!context) return
    context.clearRect(0, 0, element.width, element.height)
    const lane = element.height / Math.max(1, Math.min(rows.length, HEIGHT))
    rows.forEach((row, i) => {
      const end = row.endMs ?? range.to
      const x = ((row.startMs - range.from) / width) * element.width
      const w = Math.max(ratio, ((end - row.startMs) / width) * element.width)
      context.fillStyle = row.span.status.code === 'error' ? '#f48771' : row.match ? '#d7ba7d' : '#3b8eea'
      context.fillRect(x, Math.floor((i * element.height) / Math.max(1, rows.length)), w, Math.max(ratio, lane - ratio))
    })
  }, [rows, range.from, range.to, width])

  const at = (clientX: number, box: DOMRect) => range.from + Math.min(1, Math.max(0, (clientX - box.left) / box.width)) * width

  const onPointerDown = (event: React.PointerEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect()
    const start = at(event.clientX, box)
    const target = event.currentTarget
    target.setPointerCapture(event.pointerId)
    let dragged = false
    const move = (e: PointerEvent) => {
      const here = at(e.clientX, box)
      if (Math.abs(e.clientX - event.clientX) < 3) return
      dragged = true
      onWindow({ from: Math.min(start, here), to: Math.max(start, here) })
    }
    const up = () => {
      target.removeEventListener('pointermove', move)
      target.removeEventListener('pointerup', up)
      if (!dragged) {
        // A click centres the current window on that time.
        const half = (shown.to - shown.from) / 2
        onWindow({ from: start - half, to: start + half })
      }
    }
    target.addEventListener('pointermove', move)
    target.addEventListener('pointerup', up)
  }

  return (
    <div
      className="timeline-minimap"
      onPointerDown={onPointerDown}
      onDoubleClick={() => onWindow(range)}
      data-testid="timeline-minimap"
      title="Drag to zoom to a range; double-click to see everything"
    >
      <canvas ref={canvas} style={{ height: HEIGHT }} />
      <div
        className="timeline-minimap-window"
        style={{ left: `${((shown.from - range.from) / width) * 100}%`, width: `${((shown.to - shown.from) / width) * 100}%` }}
      />
    </div>
  )
}
