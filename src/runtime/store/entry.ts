import { randomBytes } from 'node:crypto'
import type { ChannelName } from '../../common/repl-contract'

/**
 * The session store's on-disk format, version 1.
 *
 * Where: `<projectDir>/.cortex/store/entries.jsonl` ({@link STORE_DIR}, {@link ENTRIES_FILE}): one
 * file shared by every session of every process working on the project, so history spans windows,
 * app instances and launches. The folder is created private to the user (0700, the file 0600: inputs
 * may hold secrets) with a `.gitignore` of `*`, so it is never committed by accident.
 *
 * What: JSON Lines, UTF-8. One entry per line, `\n`-terminated, appended and never rewritten. Each
 * line is `JSON.stringify` of an {@link Entry} with its keys in a fixed order, so every line starts
 * with {@link LINE_START} (`{"v":1,"id":"`). JSON escapes every newline and quote inside strings, so
 * a line never contains a raw `\n`, and `LINE_START` can only appear where an entry begins. E.g.:
 *
 *     {"v":1,"id":"0mwwaird6-5k2x0c9a.12","session":"0mwwaird6-5k2x0c9a","seq":12,"time":1795621233930,"kind":"input","mode":"js","text":"const x = 20"}
 *     {"v":1,"id":"0mwwaird6-5k2x0c9a.13","session":"0mwwaird6-5k2x0c9a","seq":13,"time":1795621233941,"kind":"output","channel":"js","stream":"stdout","taskId":"e12","evalId":12,"text":"20\n"}
 *
 * The fields are those of {@link Entry}; optional ones are left out when absent. An input's outcome
 * is an event appended when it ends, with `of` (the input's seq) and `ok`: an input with none was
 * still running when its session ended (a crash). Readers that predate `of`/`ok` ignore them.
 *
 * How it is written: one `write(2)` of the whole line on a descriptor opened with O_APPEND (see
 * `SessionStore` for why concurrent writers never interleave). Nothing is buffered in the process:
 * once an append returns, its line is in the OS, so `kill -9` loses at most the append in flight.
 *
 * How it is read (rules every reader follows):
 * - a blank line, a line that is not JSON, or an entry that fails the shape check is skipped (and
 *   counted); the lines around it are unaffected;
 * - a last line without its `\n` is either being written by another process or was torn by a crash:
 *   it is not read (yet); it is read once it is complete;
 * - a line torn by a crash has no `\n`, so the next append (from any process) lands on the same line:
 *   `<fragment>{"v":1,"id":"…"…}`. Such a line is recovered from its last `LINE_START`; only the
 *   fragment is lost;
 * - an entry with another `v` (a later version) is skipped: readers never guess at a format.
 *
 * Text is bounded: at most {@link MAX_TEXT_BYTES} of UTF-8 per entry. A longer text keeps its head
 * and its tail around a marker `… [truncated N bytes] …` (N: bytes left out), and `bytes` records
 * the original size. So a line is at most ~400 KiB even if every character needs a JSON escape.
 */
export const STORE_DIR = '.cortex/store'
export const ENTRIES_FILE = 'entries.jsonl'
export const LINE_START = '{"v":1,"id":"'

/** Bytes of UTF-8 text an entry keeps (the rest is cut, with a marker). */
export const MAX_TEXT_BYTES = 64 * 1024

export type EntryKind = 'input' | 'output' | 'event'
export type InputMode = 'js' | 'nl' | 'bash'

/** One stored REPL input, channel write or event. */
export interface Entry {
  v: 1
  /** `<session>.<seq>`: unique as long as a session has one writer. */
  id: string
  session: string
  /** 1, 2, 3… within the session, in append order. */
  seq: number
  /** Milliseconds since the epoch (for output: when the channel write happened). */
  time: number
  kind: EntryKind
  /** Inputs: the REPL mode they were entered in. */
  mode?: InputMode
  /** Outputs: where the write came from. */
  channel?: ChannelName
  stream?: 'stdout' | 'stderr'
  taskId?: string
  /** Outputs: the evaluation whose work wrote it. */
  evalId?: number
  /** Result events: the `seq` of the input (same session) this is the outcome of. */
  of?: number
  /** Result events: whether that input succeeded. */
  ok?: boolean
  /** Secrets were scrubbed from the text before it was written (so it is not what was typed). */
  redacted?: true
  /** Bounded to {@link MAX_TEXT_BYTES}; when cut, it holds a `… [truncated N bytes] …` marker. */
  text: string
  /** The original size in bytes of UTF-8, present only when the text was truncated. */
  bytes?: number
}

/**
 * The entry as one line of the file, `\n` included, its keys in the documented order, fixed so
 * that every line starts with LINE_START, small fields before the text so that a line's head is
 * readable in a pager (other keys are dropped). The fields are copied into an object literal in
 * that order and serialized in one native call (JSON.stringify leaves out the undefined ones):
 * a replacer list would keep V8 off its fast path, and a key at a time costs a call per key.
 */
export function encodeEntry(entry: Entry): string {
  const { v, id, session, seq, time, kind, mode, channel, stream, taskId, evalId, of, ok, redacted, text, bytes } = entry
  return `${JSON.stringify({ v, id, session, seq, time, kind, mode, channel, stream, taskId, evalId, of, ok, redacted, text, bytes })}\n`
}

const KINDS = new Set(['input', 'output', 'event'])
const optional = (value: unknown, type: string) => value === undefined || typeof value === type

/** The entry a line (without its `\n`) holds, or undefined when it is not a valid version-1 entry. */
export function parseEntry(line: string): Entry | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const e = value as Record<string, unknown>
  const valid =
    e['v'] === 1 &&
    typeof e['id'] === 'string' &&
    typeof e['session'] === 'string' &&
    Number.isSafeInteger(e['seq']) &&
    Number.isFinite(e['time']) &&
    KINDS.has(e['kind'] as string) &&
    typeof e['text'] === 'string' &&
    optional(e['mode'], 'string') &&
    optional(e['channel'], 'string') &&
    optional(e['stream'], 'string') &&
    optional(e['taskId'], 'string') &&
    optional(e['evalId'], 'number') &&
    optional(e['of'], 'number') &&
    optional(e['ok'], 'boolean') &&
    (e['redacted'] === undefined || e['redacted'] === true) &&
    optional(e['bytes'], 'number')
  return valid ? (value as Entry) : undefined
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff

/** The longest start of `text` that is at most `max` bytes of UTF-8, never splitting a character. */
function utf8Head(text: string, max: number): string {
  // A UTF-16 unit is at least one byte, so `max` units always suffice.
  let candidate = text.slice(0, max)
  if (isHighSurrogate(candidate.charCodeAt(candidate.length - 1))) candidate = candidate.slice(0, -1)
  const bytes = Buffer.from(candidate)
  if (bytes.length <= max) return bytes.toString()
  let cut = max
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut-- // back to the start of the character at `max`
  return bytes.toString('utf8', 0, cut)
}

/** The longest end of `text` that is at most `max` bytes of UTF-8, never splitting a character. */
function utf8Tail(text: string, max: number): string {
  let candidate = text.slice(-max)
  if (isLowSurrogate(candidate.charCodeAt(0))) candidate = candidate.slice(1)
  const bytes = Buffer.from(candidate)
  let start = Math.max(0, bytes.length - max)
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++ // forward to a character start
  return bytes.toString('utf8', start)
}

/**
 * Text bounded to `max` bytes of UTF-8. A longer text keeps its first three quarters and its last
 * quarter (output usually ends with what matters: the error, the summary) around a marker saying
 * how many bytes were left out; `bytes` is then the original size. The strings returned never share
 * memory with a huge original (they are decoded copies), so a 10 MB text is not kept alive.
 */
export function boundText(text: string, max = MAX_TEXT_BYTES): { text: string; bytes?: number } {
  // At most 3 bytes of UTF-8 per UTF-16 unit: most texts are decided without being measured.
  if (text.length * 3 <= max) return { text }
  const bytes = Buffer.byteLength(text)
  if (bytes <= max) return { text }
  // The marker is at most 44 bytes ("\n… [truncated " + 16 digits + " bytes] …\n").
  const budget = max - 48
  const head = utf8Head(text, Math.floor((budget * 3) / 4))
  const tail = utf8Tail(text, budget - Math.floor((budget * 3) / 4))
  const omitted = bytes - Buffer.byteLength(head) - Buffer.byteLength(tail)
  return { text: `${head}\n… [truncated ${omitted} bytes] …\n${tail}`, bytes }
}

/** Session ids: `<ms since epoch, base 36, 9 digits>-<40 random bits, base 36>`; they sort by start time. */
export function newSessionId(now = Date.now()): string {
  const random = randomBytes(5).readUIntBE(0, 5).toString(36).padStart(8, '0')
  return `${now.toString(36).padStart(9, '0')}-${random}`
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const GENERATED_ID = /^([0-9a-z]{9})-[0-9a-z]{8}$/

export function isValidSessionId(id: string): boolean {
  return SESSION_ID.test(id)
}

/** When a session made by {@link newSessionId} started; undefined for other ids. */
export function sessionStartTime(id: string): number | undefined {
  const match = GENERATED_ID.exec(id)
  return match ? parseInt(match[1]!, 36) : undefined
}
