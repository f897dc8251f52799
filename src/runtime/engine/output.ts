import { Emitter } from '../../common/event'
import { toDisposable, type Disposable } from '../../common/lifecycle'
import type { ChannelName, OutputBatch, OutputWrite } from '../../common/repl-contract'

export interface OutputOptions {
  /** How often batches go out. */
  flushMs?: number
  /** Display bytes a client may have waiting; past it the oldest are dropped, with a count. */
  maxPendingBytes?: number
  /** Batches a client may have unacknowledged before the runtime waits for it. */
  maxUnacked?: number
  /**
   * Display bytes per batch, at most (a single larger write goes alone): a window handles each
   * batch in one task, and a keystroke waits behind that task.
   */
  maxBatchBytes?: number
  /** A partial line is held at most this long before it goes out as it is. */
  partialLineMs?: number
}

/** One client's view of the output: a bounded queue, flushed in batches the client acknowledges. */
export interface OutputClient extends Disposable {
  ack(seq: number): void
}

interface ClientState {
  send(batch: OutputBatch): void
  pending: OutputWrite[]
  pendingBytes: number
  dropped: number
  unacked: number
  seq: number
  timer: ReturnType<typeof setTimeout> | undefined
  disposed: boolean
}

/**
 * Every write from user code, graph runs, shells and the AI goes through here (never to the
 * process's stdout). Writes are cut at line ends per task and stream, so concurrent tasks never
 * interleave mid-line. Producers never block: each client has a bounded queue that drops the
 * oldest display output (and says how much) when the client falls behind, and a batch goes out
 * only while the client has acknowledged enough of the previous ones (credit-based flow control).
 * Observers of {@link onDidWrite} (the session store) see every write, dropped or not.
 */
export class OutputRouter implements Disposable {
  private readonly clients = new Set<ClientState>()
  private readonly partial = new Map<string, { write: Omit<OutputWrite, 'text' | 'time'>; text: string; timer: ReturnType<typeof setTimeout> }>()
  private readonly writes = new Emitter<OutputWrite>()
  private readonly flushMs: number
  private readonly maxPendingBytes: number
  private readonly maxUnacked: number
  private readonly maxBatchBytes: number
  private readonly partialLineMs: number

  readonly onDidWrite = this.writes.event

  constructor(options: OutputOptions = {}) {
    this.flushMs = options.flushMs ?? 16
    this.maxPendingBytes = options.maxPendingBytes ?? 1024 * 1024
    // 16 batches of 64 kB: the bytes in flight to a client stay within maxPendingBytes.
    this.maxUnacked = options.maxUnacked ?? 16
    this.maxBatchBytes = options.maxBatchBytes ?? 64 * 1024
    this.partialLineMs = options.partialLineMs ?? 50
  }

  /** Writes text; complete lines go out now, a trailing partial line waits for its end (briefly). */
  write(channel: ChannelName, stream: OutputWrite['stream'], text: string, from: { taskId?: string; evalId?: number } = {}): void {
    if (!text) return
    const key = `${from.taskId ?? ''}\0${channel}\0${stream}`
    const held = this.partial.get(key)
    if (held) clearTimeout(held.timer)
    const combined = (held?.text ?? '') + text
    const end = combined.lastIndexOf('\n') + 1
    const base = { channel, stream, ...(from.taskId ? { taskId: from.taskId } : {}), ...(from.evalId ? { evalId: from.evalId } : {}) }
    if (end > 0) this.emit({ ...base, text: combined.slice(0, end), time: Date.now() })
    const rest = combined.slice(end)
    if (!rest) return (this.partial.delete(key), undefined)
    const timer = setTimeout(() => this.flushPartial(key), this.partialLineMs)
    timer.unref?.()
    this.partial.set(key, { write: base, text: rest, timer })
  }

  /** Sends a task's unfinished line now (the task ended). */
  endTask(taskId: string): void {
    for (const key of [...this.partial.keys()]) if (key.startsWith(`${taskId}\0`)) this.flushPartial(key)
  }

  attach(send: (batch: OutputBatch) => void): OutputClient {
    const state: ClientState = { send, pending: [], pendingBytes: 0, dropped: 0, unacked: 0, seq: 0, timer: undefined, disposed: false }
    this.clients.add(state)
    return {
      ack: (seq) => {
        if (seq > state.seq || state.disposed) return
        state.unacked = Math.max(0, state.unacked - 1)
        this.schedule(state)
      },
      ...toDisposable(() => {
        state.disposed = true
        if (state.timer) clearTimeout(state.timer)
        this.clients.delete(state)
      })
    }
  }

  /** Sends everything waiting now (shutdown, tests). */
  flushAll(): void {
    for (const key of [...this.partial.keys()]) this.flushPartial(key)
    for (const state of this.clients) this.flush(state, true)
  }

  dispose(): void {
    for (const held of this.partial.values()) clearTimeout(held.timer)
    this.partial.clear()
    for (const state of this.clients) if (state.timer) clearTimeout(state.timer)
    this.clients.clear()
    this.writes.dispose()
  }

  private flushPartial(key: string): void {
    const held = this.partial.get(key)
    if (!held) return
    clearTimeout(held.timer)
    this.partial.delete(key)
    this.emit({ ...held.write, text: held.text, time: Date.now() })
  }

  private emit(write: OutputWrite): void {
    this.writes.fire(write)
    for (const state of this.clients) {
      state.pending.push(write)
      state.pendingBytes += write.text.length
      // Bounded: drop the oldest display output, and count it, rather than grow or block.
      while (state.pendingBytes > this.maxPendingBytes && state.pending.length > 1) {
        const oldest = state.pending.shift()!
        state.pendingBytes -= oldest.text.length
        state.dropped += oldest.text.length
      }
      if (state.pendingBytes > this.maxPendingBytes) {
        const only = state.pending[0]!
        const keep = only.text.slice(-this.maxPendingBytes)
        state.dropped += only.text.length - keep.length
        state.pending[0] = { ...only, text: keep }
        state.pendingBytes = keep.length
      }
      this.schedule(state)
    }
  }

  private schedule(state: ClientState): void {
    if (state.timer || state.disposed || state.pending.length === 0) return
    state.timer = setTimeout(() => {
      state.timer = undefined
      this.flush(state, false)
    }, this.flushMs)
  }

  /** Sends what waits, in batches of at most maxBatchBytes, while the client has credit (forced: all of it). */
  private flush(state: ClientState, force: boolean): void {
    if (state.disposed || (state.pending.length === 0 && state.dropped === 0)) return
    const pending = state.pending
    let at = 0
    do {
      if (!force && state.unacked >= this.maxUnacked) break // the client catches up first; its ack reschedules
      let end = at
      let bytes = 0
      while (end < pending.length && (end === at || bytes + pending[end]!.text.length <= this.maxBatchBytes)) bytes += pending[end++]!.text.length
      const batch: OutputBatch = { seq: ++state.seq, writes: pending.slice(at, end), ...(state.dropped ? { dropped: state.dropped } : {}) }
      state.pendingBytes -= bytes
      state.dropped = 0
      state.unacked++
      at = end
      state.send(batch)
    } while (at < pending.length && !state.disposed)
    // What did not go out waits (one copy of the rest, not one per batch).
    state.pending = at === pending.length ? [] : pending.slice(at)
  }
}
