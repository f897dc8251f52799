/**
 * Cooperative time slicing for graph runs. A run's steps are mostly microtasks (an instant LM, sync
 * deps, replayed answers), and microtasks never let timers or I/O in: a thousand concurrent runs
 * would hold the event loop for the whole of their work. So runs call {@link yieldIfBusy} at their
 * yield points (between steps, before each dep and LM call); once the current slice has used
 * SLICE_MS, runs park in a queue. Each macrotask releases a batch of them and starts a new slice;
 * the batch size adapts so that a slice stays near SLICE_MS (each released run does at least the
 * work up to its next yield point).
 */
const SLICE_MS = 5
const MAX_BATCH = 4096

const waiting: Array<() => void> = []
let sliceStart = -1
let drainScheduled = false
let batch = 64
/** The last slice: when it started, how many runs it released, when the last of them parked again. */
let released = 0
let lastPark = 0

function drain(): void {
  drainScheduled = false
  // Adapt the batch to what the previous slice cost per released run.
  if (released > 0 && lastPark > sliceStart) {
    const perRun = (lastPark - sliceStart) / released
    batch = Math.max(1, Math.min(MAX_BATCH, Math.floor(SLICE_MS / Math.max(perRun, 0.001))))
  }
  sliceStart = performance.now()
  const now = waiting.splice(0, batch)
  released = now.length
  for (const release of now) release()
  if (waiting.length) schedule()
}

function schedule(): void {
  if (drainScheduled) return
  drainScheduled = true
  setImmediate(drain)
}

/** Undefined (go on) while the slice lasts; otherwise a promise that resolves in a later slice. */
export function yieldIfBusy(): Promise<void> | undefined {
  const now = performance.now()
  if (sliceStart < 0) sliceStart = now
  if (now - sliceStart < SLICE_MS && waiting.length === 0) return undefined
  lastPark = now
  return new Promise<void>((resolve) => {
    waiting.push(resolve)
    schedule()
  })
}
