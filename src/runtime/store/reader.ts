import { readSync } from 'node:fs'
import { LINE_START, parseEntry, type Entry } from './entry'

/** What a reader reads at once; a longer line grows the buffer up to {@link MAX_LINE_BYTES}. */
const CHUNK_BYTES = 1024 * 1024
/**
 * No line we write comes near this (64 KiB of text is at most ~400 KiB of JSON); a longer "line" is
 * damage (say, a file copied over ours), skipped to its end rather than buffered without bound.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024

const LINE_START_BYTES = Buffer.from(LINE_START)
const NEWLINE = 0x0a

/** Where an entry's line is in the file: enough to read it again. */
export type OnEntry = (entry: Entry, offset: number, length: number) => void

/**
 * Reads the entries file incrementally, by complete lines, following the rules in `entry.ts`. It
 * never reads an incomplete last line (a write in flight, or a line torn by a crash), so
 * {@link offset} is always at the start of a line and the next read picks up from there: that is
 * how every process sees what the others appended since its last read.
 */
export class EntryReader {
  /** The start of the first line not read yet. */
  offset = 0
  /** Lines skipped: not JSON, not a valid entry, or a fragment left by a crash. */
  skipped = 0
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES)
  /** Inside a line longer than {@link MAX_LINE_BYTES}: skip to its end. */
  private skipping = false

  constructor(private readonly fd: number) {}

  /**
   * Reads one chunk from {@link offset} and reports each complete entry in it, in file order.
   * Returns whether there may be more to read (call again).
   */
  read(onEntry: OnEntry): boolean {
    const length = readSync(this.fd, this.buffer, 0, this.buffer.length, this.offset)
    if (length === 0) return false
    const view = this.buffer.subarray(0, length)
    const full = length === this.buffer.length
    let start = 0
    if (this.skipping) {
      const end = view.indexOf(NEWLINE)
      if (end === -1) {
        this.offset += length
        return full
      }
      this.skipping = false
      start = end + 1
    }
    for (let end = view.indexOf(NEWLINE, start); end !== -1; end = view.indexOf(NEWLINE, start)) {
      this.line(view, start, end, onEntry)
      start = end + 1
    }
    if (start === 0 && full) {
      // Not one complete line in a full buffer: a long line. Grow to hold it, up to the limit.
      if (this.buffer.length < MAX_LINE_BYTES) {
        this.buffer = Buffer.allocUnsafe(this.buffer.length * 2)
      } else {
        this.skipping = true
        this.skipped++
        start = length
      }
    } else if (this.buffer.length > CHUNK_BYTES) {
      this.buffer = Buffer.allocUnsafe(CHUNK_BYTES) // past the long line: do not keep megabytes for nothing
    }
    this.offset += start
    return full
  }

  private line(view: Buffer, start: number, end: number, onEntry: OnEntry): void {
    if (end === start) return
    const entry = parseEntry(view.toString('utf8', start, end))
    if (entry) return onEntry(entry, this.offset + start, end - start)
    this.skipped++
    if (end - start <= LINE_START_BYTES.length) return
    // A fragment torn by a crash, with the next append glued to it: recover that entry.
    const at = view.lastIndexOf(LINE_START_BYTES, end - LINE_START_BYTES.length)
    if (at <= start) return
    const glued = parseEntry(view.toString('utf8', at, end))
    if (glued) onEntry(glued, this.offset + at, end - at)
  }
}
