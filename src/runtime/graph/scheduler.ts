/**
 * Cooperative time slicing for graph runs. A run's steps are mostly microtasks (an instant LM, sync
 * deps), and microtasks never let timers or I/O in: a thousand concurrent runs would hold the event
 * loop for the whole of their work. So each run calls {@link yieldIfBusy} between steps; once the
 * current slice has used SLICE_MS, runs queue up and are released together by the next macrotask,
 * which starts a new slice. Each released run does at least one step before it checks again, so a
 * slice costs about SLICE_MS plus one step per waiting run.
 */
const SLICE_MS = 5

const waiting: Array<() => void> = []
let sliceStart = -1
let drainScheduled = false

function drain(): void {
  drainScheduled = false
  sliceStart = performance.now()
  for (const release of waiting.splice(0)) release()
}

/** Resolves at once while the slice lasts (returns undefined: no await needed); otherwise at the next slice. */
export function yieldIfBusy(): Promise<void> | undefined {
  const now = performance.now()
  if (sliceStart < 0) sliceStart = now
  if (now - sliceStart < SLICE_MS) return undefined
  return new Promise<void>((resolve) => {
    waiting.push(resolve)
    if (!drainScheduled) {
      drainScheduled = true
      setImmediate(drain)
    }
  })
}
