import type { Disposable } from '../../../common/lifecycle'
import { OpenRow } from '../../../common/repl/open-row'

/** What the writer writes to: xterm's `Terminal.write`, whose callback fires once the data is parsed. */
export interface WriteTarget {
  write(data: string, callback?: () => void): void
}

export interface OutputWriterOptions {
  /**
   * Bytes handed to the terminal and not yet parsed above which no more output is taken from the
   * queue, at most. A keystroke's echo waits behind them, so this bounds the echo's delay; the
   * watermark in effect is smaller on a machine that parses slowly (see `parseBudgetMs`).
   */
  highWater?: number
  /**
   * How long the unparsed output may take the terminal to parse: the high watermark in effect is
   * the measured parse rate times this (between MIN_HIGH_WATER and `highWater`), so a keystroke's
   * echo waits about this long behind output, whatever the machine. Default 16 ms (a frame).
   */
  parseBudgetMs?: number
  /** The clock the parse rate is measured with (default `performance.now`). */
  now?: () => number
  /** Output is taken again once the unparsed bytes fall to this (hysteresis: no stop-start per chunk). */
  lowWater?: number
  /** Largest single write: xterm yields to input and rendering only between writes. */
  chunkSize?: number
  /** Written before a chunk of output: takes the prompt away. */
  erasePrompt(): string
  /** Called after each chunk is written: draws the prompt again, underneath (so it is always written last). */
  drawPrompt(): void
  /** Runs `flush` soon (the pane: on the next animation frame); returns a cancel. */
  schedule(flush: () => void): () => void
  /** The terminal's size, to go back up to a row left open (default: 80 × 24). */
  columns?: () => number
  rows?: () => number
}

interface Piece {
  text: string
  /** Settles once the whole piece is parsed: the caller then acknowledges it to the runtime. */
  done: () => void
}

export const HIGH_WATER = 256 * 1024
export const LOW_WATER = 64 * 1024
export const CHUNK_SIZE = 32 * 1024
/** The smallest high watermark the parse rate may bring it down to: enough to keep the parser busy. */
export const MIN_HIGH_WATER = 16 * 1024
const PARSE_BUDGET_MS = 16

/**
 * Output above the prompt, with flow control (xterm.js's watermark scheme): the bytes written to
 * the terminal and not yet parsed are counted; above the high watermark nothing more is taken from
 * the queue (so its callbacks, and the runtime's acknowledgements, wait: the runtime buffers,
 * bounded, and drops the oldest display output with a marker), and writing resumes below the low
 * one. Writes are chunks of whole lines where possible, each followed by the prompt, so the prompt
 * is always the last thing drawn and keystrokes queue behind at most the high watermark. Output
 * that ends mid-line leaves its row open ({@link OpenRow}): the next output continues it.
 */
export class OutputWriter implements Disposable {
  private readonly queue: Piece[] = []
  private unparsed = 0
  private paused = false
  private cancelScheduled: (() => void) | undefined
  private disposed = false
  private readonly highWater: number
  private readonly lowWater: number
  private readonly chunkSize: number
  private readonly openRow = new OpenRow()
  /** The parse rate, as decayed sums of bytes parsed and the time it took (bytes/ms = bytes ÷ ms). */
  private readonly parsed = { bytes: 0, ms: 0, lastAt: Number.NEGATIVE_INFINITY }
  private readonly now: () => number
  private readonly parseBudgetMs: number

  constructor(
    private readonly target: WriteTarget,
    private readonly options: OutputWriterOptions
  ) {
    this.highWater = options.highWater ?? HIGH_WATER
    this.lowWater = options.lowWater ?? LOW_WATER
    this.chunkSize = options.chunkSize ?? CHUNK_SIZE
    this.now = options.now ?? (() => performance.now())
    this.parseBudgetMs = options.parseBudgetMs ?? PARSE_BUDGET_MS
  }

  /**
   * The high watermark in effect: what the terminal parses in the budget at its measured rate,
   * within [MIN_HIGH_WATER, highWater] (the configured one until a rate is known).
   */
  get effectiveHighWater(): number {
    if (this.parsed.ms <= 0) return this.highWater
    const budget = (this.parsed.bytes / this.parsed.ms) * this.parseBudgetMs
    return Math.round(Math.min(this.highWater, Math.max(Math.min(MIN_HIGH_WATER, this.highWater), budget)))
  }

  /** The low watermark and chunk size scale with the high one in effect. */
  private get effectiveLowWater(): number {
    return Math.min(this.lowWater, Math.round((this.effectiveHighWater * this.lowWater) / this.highWater))
  }

  /** Bytes written to the terminal that it has not parsed yet. */
  get pendingBytes(): number {
    return this.unparsed
  }

  /** Bytes waiting in the queue (not yet written to the terminal). */
  get queuedBytes(): number {
    return this.queue.reduce((sum, piece) => sum + piece.text.length, 0)
  }

  /**
   * Queues text to appear above the prompt; resolves once the terminal has parsed all of it. Text
   * that does not end with a line break leaves its row open: the next text continues that row.
   */
  print(text: string): Promise<void> {
    if (!text || this.disposed) return Promise.resolve()
    return new Promise((done) => {
      this.queue.push({ text, done })
      if (!this.paused) this.cancelScheduled ??= this.options.schedule(() => this.flush())
    })
  }

  /** Writes now as much of the queue as the watermark allows. */
  flush(): void {
    this.cancelScheduled?.()
    this.cancelScheduled = undefined
    if (this.disposed || this.paused) return
    const highWater = this.effectiveHighWater
    while (this.queue.length > 0 && this.unparsed < highWater) this.writeChunk()
    // Full: wait for the terminal to catch up (its callbacks resume writing).
    if (this.queue.length > 0) this.paused = true
  }

  /** Something was written under the open row (an input's transcript): the next output starts a row of its own. */
  endOpenRow(): void {
    this.openRow.end()
  }

  dispose(): void {
    this.disposed = true
    this.cancelScheduled?.()
    for (const piece of this.queue.splice(0)) piece.done()
  }

  private writeChunk(): void {
    let chunk = ''
    const finished: Array<() => void> = []
    const chunkSize = Math.min(this.chunkSize, Math.max(1024, Math.round(this.effectiveHighWater / 4)))
    while (this.queue.length > 0 && chunk.length < chunkSize) {
      const piece = this.queue[0]!
      const room = chunkSize - chunk.length
      if (piece.text.length <= room) {
        chunk += piece.text
        finished.push(piece.done)
        this.queue.shift()
        continue
      }
      // Too big for this chunk: take whole lines of it if any fit (a small chunk then goes out as is).
      const cut = cutPoint(piece.text, room, chunk.length === 0)
      if (cut === 0) break
      chunk += piece.text.slice(0, cut)
      piece.text = piece.text.slice(cut)
      break
    }
    const shown = this.openRow.write(chunk, this.options.columns?.() ?? 80, this.options.rows?.() ?? 24)
    const size = shown.length
    this.unparsed += size
    const writtenAt = this.now()
    this.target.write(this.options.erasePrompt() + shown, () => {
      this.measureParse(size, writtenAt)
      this.unparsed -= size
      for (const done of finished) done()
      if (this.paused && this.unparsed <= this.effectiveLowWater) {
        this.paused = false
        this.flush()
      }
    })
    this.options.drawPrompt()
  }

  /**
   * A chunk of `bytes` written at `writtenAt` is parsed now: it took from when the parser could
   * start on it (its write, or the previous chunk's end) until now. Older samples decay, so the
   * rate follows the machine's load.
   */
  private measureParse(bytes: number, writtenAt: number): void {
    const now = this.now()
    const ms = now - Math.max(writtenAt, this.parsed.lastAt)
    this.parsed.lastAt = now
    if (ms <= 0) return
    this.parsed.bytes = this.parsed.bytes * 0.8 + bytes
    this.parsed.ms = this.parsed.ms * 0.8 + ms
  }
}

/**
 * Where to cut `text` so that at most `room` characters go: after the last line end that fits;
 * failing that (`mustCut`: the chunk would be empty) at `room`, moved back so it does not split an
 * escape sequence or a surrogate pair.
 */
export function cutPoint(text: string, room: number, mustCut: boolean): number {
  const lineEnd = text.lastIndexOf('\n', room - 1)
  if (lineEnd >= 0) return lineEnd + 1
  if (!mustCut) return 0
  let cut = room
  const escape = text.lastIndexOf('\x1b', cut - 1)
  // An escape sequence is short; one that starts close to the cut and has not ended there would be split.
  // eslint-disable-next-line no-control-regex -- matching escape sequences is the point
  if (escape > 0 && cut - escape < 32 && !/^\x1b\[[0-9;?]*[@-~]/.test(text.slice(escape, cut))) cut = escape
  const code = text.charCodeAt(cut - 1)
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1
  return cut
}
