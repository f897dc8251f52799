import { useCallback, useRef, useState, type ReactNode } from 'react'

/** Reads a pane size remembered between launches (localStorage: the same in Electron and the browser mode). */
function remembered(key: string, fallback: number): number {
  try {
    const value = Number(localStorage.getItem(`cortex.layout.${key}`))
    return Number.isFinite(value) && value > 0.05 && value < 0.95 ? value : fallback
  } catch {
    return fallback
  }
}

function remember(key: string, fraction: number): void {
  try {
    localStorage.setItem(`cortex.layout.${key}`, fraction.toFixed(4))
  } catch {
    // Storage refused (private mode, quota): the layout is simply not remembered.
  }
}

/**
 * Two panes and a divider to drag (or move with the arrow keys when focused). The first pane's
 * share is remembered under `id`.
 */
export function Split({
  id,
  direction,
  initial,
  first,
  second
}: {
  id: string
  direction: 'row' | 'column'
  /** The first pane's share of the space, 0 … 1. */
  initial: number
  first: ReactNode
  second: ReactNode
}) {
  const [fraction, setFraction] = useState(() => remembered(id, initial))
  const container = useRef<HTMLDivElement>(null)
  const horizontal = direction === 'row'
  const update = useCallback(
    (next: number) => {
      const clamped = Math.min(0.9, Math.max(0.1, next))
      setFraction(clamped)
      remember(id, clamped)
    },
    [id]
  )
  const onPointerDown = (event: React.PointerEvent<HTMLDivElement>) => {
    const box = container.current!.getBoundingClientRect()
    const divider = event.currentTarget
    divider.setPointerCapture(event.pointerId)
    const move = (e: PointerEvent) => update(horizontal ? (e.clientX - box.left) / box.width : (e.clientY - box.top) / box.height)
    const up = () => {
      divider.removeEventListener('pointermove', move)
      divider.removeEventListener('pointerup', up)
    }
    divider.addEventListener('pointermove', move)
    divider.addEventListener('pointerup', up)
  }
  const onKeyDown = (event: React.KeyboardEvent) => {
    const step = event.shiftKey ? 0.1 : 0.02
    const back = horizontal ? 'ArrowLeft' : 'ArrowUp'
    const forward = horizontal ? 'ArrowRight' : 'ArrowDown'
    if (event.key === back) update(fraction - step)
    else if (event.key === forward) update(fraction + step)
    else return
    event.preventDefault()
  }
  return (
    <div className={`split ${direction}`} ref={container}>
      <div className="split-pane" style={{ flexBasis: `${fraction * 100}%` }}>
        {first}
      </div>
      <div
        className="split-divider"
        role="separator"
        aria-orientation={horizontal ? 'vertical' : 'horizontal'}
        aria-valuenow={Math.round(fraction * 100)}
        tabIndex={0}
        data-testid={`divider-${id}`}
        onPointerDown={onPointerDown}
        onKeyDown={onKeyDown}
      />
      <div className="split-pane" style={{ flexBasis: `${(1 - fraction) * 100}%` }}>
        {second}
      </div>
    </div>
  )
}
