import { closeSync, fdatasync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createLineLogger, type Logger } from '../../common/logger'
import type { OutputWrite } from '../../common/repl-contract'
import {
  boundText,
  encodeEntry,
  ENTRIES_FILE,
  isValidSessionId,
  newSessionId,
  parseEntry,
  sessionStartTime,
  STORE_DIR,
  type Entry,
  type EntryKind,
  type InputMode
} from './entry'
import { formatEntries, type FormatOptions } from './format'
import { journalOf } from './journal'
import { describeWriteError } from '../files/write-file-atomic'
import type { Journal } from '../../common/runtime-contract'
import { EntryReader, type OnEntry } from './reader'
import { matches, parseQuery, searchForm } from './search'

export interface SessionStoreOptions {
  /** The project folder; the store lives in `<projectDir>/.cortex/store/` (created if missing). */
  projectDir: string
  /** Continue this session (its entries go on from its last seq); a new session by default. */
  sessionId?: string
  /** Where append failures (a full disk…) are reported; appends never throw them. Default: stderr. */
  logger?: Logger
  /**
   * Told once in the session when appends start failing (a full disk, the file size limit), with a
   * sentence for the user; appends go on being tried, and the log says when they fail and work again.
   */
  onWriteFailure?: (message: string) => void
  /** Scrubs secrets from each text before it is written (after it is bounded, so the cost is bounded too). */
  redact?: (text: string) => string
}

export interface SearchOptions {
  /** At most this many entries (default 20; `Infinity` for all). */
  limit?: number
  /** Only this session's entries. */
  sessionId?: string
  /** Only inputs (history), outputs or events. */
  kind?: EntryKind
}

export interface SessionInfo {
  id: string
  /** `s1`, `s2`…: sessions numbered in the order their first entry was stored; the same in every process. */
  label: string
  /** When it started (from its id), or its first entry's time for ids not made by the store. */
  start: number
  /** Its latest entry's time. */
  last: number
  entries: number
}

export interface StoreStats {
  entries: number
  sessions: number
  /** Lines that could not be read: torn by a crash, or damaged. */
  skipped: number
  /** Bytes of the file read so far. */
  bytes: number
}

interface SessionRecord {
  id: string
  first: number
  last: number
  entries: number
  maxSeq: number
}

type AppendFields = Pick<Entry, 'kind' | 'time' | 'text' | 'mode' | 'channel' | 'stream' | 'taskId' | 'evalId' | 'of' | 'ok'>

const KIND_CODES: Record<EntryKind, number> = { input: 0, output: 1, event: 2 }
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))
const stderrLogger = createLineLogger('store', (line) => process.stderr.write(`${line}\n`))

/**
 * The session store: every REPL input and channel write of every session of a project, in one
 * append-only file (format and reading rules: `entry.ts`), with an in-memory index for search.
 *
 * **Appends** are synchronous: one `write(2)` of one line, nothing buffered in the process, so an
 * append that returned survives `kill -9` of the process (it is in the OS's page cache), and a kill
 * loses at most the append in flight (its line may be torn; readers skip it). Surviving an OS crash
 * or power loss needs {@link flush} (fdatasync). An append costs a few microseconds (measured
 * 3-10 µs; it writes to the page cache, and only a kernel throttling dirty pages can slow it).
 *
 * **Several processes** (two windows of two app instances on one project) append to the same file
 * at once, and their entries never interleave within a line, because each entry is exactly one
 * `write(2)` of one complete line on a descriptor opened with O_APPEND:
 * - POSIX: with O_APPEND, moving to the end of the file and writing are one step with no other
 *   modification in between, so appends never overwrite each other;
 * - Linux's local file systems (ext4, xfs, btrfs, tmpfs) hold the inode's lock for the whole
 *   buffered write of a regular file, so one write is never interleaved with another, whatever its
 *   size (the 4 KiB PIPE_BUF limit is for pipes, not files); macOS's APFS and HFS+ serialize writes
 *   to a file as well. Our lines are at most ~400 KiB, one `write` call;
 * - the exception is a short write (a full disk, the file size limit, or a writer killed mid-write:
 *   Linux checks for a fatal signal between pages). That line is torn, and only that entry is lost:
 *   the reader recovers the next one, glued to the fragment (see `entry.ts`);
 * - network file systems are not supported: NFS emulates O_APPEND on each client, so two machines'
 *   appends can overwrite each other.
 * `session-store.crash.test.ts` checks this with several processes appending 60 KiB entries at once.
 *
 * **Reading**: the index holds, per entry, where its line is, its session, and its search form
 * (`search.ts`). Every query first reads the bytes appended since the last one (by this process
 * or any other), so each process sees the others' entries. Matching entries are read back from the
 * file. Measured with 1,000,000 entries (336 MB): opening ~2-3 s (streamed, the event loop never
 * waits more than ~40 ms), ~250 MB of heap, a search that scans them all ~50 ms (a few terms) to
 * ~100 ms (many), one with enough recent matches well under 1 ms. So no inverted index: a scan
 * also gives substring and phrase matching for free.
 */
export class SessionStore {
  readonly sessionId: string
  /** The entries file. */
  readonly file: string
  private nextSeq = 1
  private closed = false
  private closing: Promise<void> | undefined
  private failing = false
  /** The user was told about failing appends (once a session: a nearly full disk fails and recovers by turns). */
  private told = false
  private syncing: Promise<void> = Promise.resolve()
  private readonly reader: EntryReader

  // The index, by entry number (file order): where the line is, whose it is, what to search.
  private count = 0
  private offsets = new Float64Array(1024)
  private lengths = new Uint32Array(1024)
  private sessionOf = new Uint32Array(1024)
  private kindOf = new Uint8Array(1024)
  private readonly forms: string[] = []
  private readonly sessionNumbers = new Map<string, number>()
  private readonly sessionRecords: SessionRecord[] = []

  private constructor(
    sessionId: string,
    file: string,
    private readonly appendFd: number,
    private readonly readFd: number,
    private readonly logger: Logger,
    private readonly onWriteFailure: ((message: string) => void) | undefined,
    private readonly redact: (text: string) => string
  ) {
    this.sessionId = sessionId
    this.file = file
    this.reader = new EntryReader(readFd)
  }

  /** Opens (creating if needed) the project's store for a session, reading what is stored so far. */
  static async open(options: SessionStoreOptions): Promise<SessionStore> {
    const sessionId = options.sessionId ?? newSessionId()
    if (!isValidSessionId(sessionId)) throw new Error(`invalid session id ${JSON.stringify(sessionId)}: use letters, digits, '.', '_' and '-' (at most 64)`)
    const dir = join(options.projectDir, STORE_DIR)
    mkdirSync(dirname(dir), { recursive: true })
    try {
      mkdirSync(dir, { mode: 0o700 }) // private: inputs may hold secrets
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    try {
      writeFileSync(join(dir, '.gitignore'), '# The session store: REPL history, which may hold secrets.\n*\n', { flag: 'wx' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const file = join(dir, ENTRIES_FILE)
    const appendFd = openSync(file, 'a', 0o600)
    let readFd: number
    try {
      readFd = openSync(file, 'r')
    } catch (error) {
      closeSync(appendFd)
      throw error
    }
    const store = new SessionStore(
      sessionId,
      file,
      appendFd,
      readFd,
      options.logger ?? stderrLogger,
      options.onWriteFailure,
      options.redact ?? ((text) => text)
    )
    try {
      // Streamed a chunk at a time, letting the event loop run in between: a big store does not
      // freeze the runtime while it opens.
      while (store.reader.read(store.onEntry)) await yieldToEventLoop()
    } catch (error) {
      closeSync(appendFd)
      closeSync(readFd)
      throw error
    }
    const resumed = store.sessionNumbers.get(sessionId)
    if (resumed !== undefined) store.nextSeq = store.sessionRecords[resumed]!.maxSeq + 1
    return store
  }

  /** Stores a REPL input. */
  appendInput(text: string, mode: InputMode): Entry {
    return this.append({ kind: 'input', mode, text, time: Date.now() })
  }

  /** Stores a channel write (as `OutputRouter.onDidWrite` reports them). */
  appendOutput(write: OutputWrite): Entry {
    const { channel, stream, taskId, evalId, text, time } = write
    return this.append({ kind: 'output', channel, stream, taskId, evalId, text, time })
  }

  /**
   * Stores how the input with `seq` (this session's) ended: the journal replays only inputs that
   * succeeded, and one with no outcome was still running when the session ended.
   */
  appendOutcome(of: number, ok: boolean, text: string): Entry {
    return this.append({ kind: 'event', of, ok, text, time: Date.now() })
  }

  /**
   * What of session `id` (by default the latest session before this one) can be replayed into a
   * new namespace: see `journal.ts`. Its texts are scrubbed as they were written and again now.
   */
  journal(id?: string): Journal {
    this.catchUp()
    const sessionId = id ?? this.sessionRecords.findLast((session) => session.id !== this.sessionId)?.id
    if (sessionId === undefined) return { inputs: [], skipped: [], more: 0 }
    return journalOf(sessionId, this.session(sessionId), this.redact)
  }

  /** Stores an event (a session note, a graph lifecycle line…). */
  appendEvent(text: string): Entry {
    return this.append({ kind: 'event', text, time: Date.now() })
  }

  /** Entries matching every term and "phrase" of the query (see `search.ts`), newest first; an empty query matches all. */
  search(query: string, options: SearchOptions = {}): Entry[] {
    this.catchUp()
    const limit = options.limit ?? 20
    const parsed = parseQuery(query)
    let only = -1
    if (options.sessionId !== undefined) {
      only = this.sessionNumbers.get(options.sessionId) ?? -2
      if (only === -2) return []
    }
    const kind = options.kind === undefined ? -1 : KIND_CODES[options.kind]
    const found: number[] = []
    for (let n = this.count - 1; n >= 0 && found.length < limit; n--) {
      if ((only >= 0 && this.sessionOf[n] !== only) || (kind >= 0 && this.kindOf[n] !== kind)) continue
      if (matches(this.forms[n]!, parsed)) found.push(n)
    }
    return this.entriesAt(found)
  }

  /** The latest `n` entries of all sessions, oldest first. */
  recent(n = 50): Entry[] {
    this.catchUp()
    const numbers: number[] = []
    for (let i = Math.max(0, this.count - n); i < this.count; i++) numbers.push(i)
    return this.entriesAt(numbers)
  }

  /**
   * The prompt's history: the latest `limit` distinct inputs of every session, oldest first (an
   * input typed several times keeps only its newest place). Shared by windows and the terminal client.
   */
  history(limit = 1000): string[] {
    this.catchUp()
    const seen = new Set<string>()
    for (let n = this.count - 1; n >= 0 && seen.size < limit; n--) {
      if (this.kindOf[n] !== KIND_CODES.input) continue
      const text = this.entriesAt([n])[0]?.text
      if (text !== undefined && text.trim() !== '') seen.add(text)
    }
    return [...seen].reverse()
  }

  /** All entries of one session (this one by default), in order. */
  session(id = this.sessionId): Entry[] {
    this.catchUp()
    const number = this.sessionNumbers.get(id)
    if (number === undefined) return []
    const numbers: number[] = []
    for (let n = 0; n < this.count; n++) if (this.sessionOf[n] === number) numbers.push(n)
    return this.entriesAt(numbers)
  }

  /** The sessions that stored anything, in the order of their first entry. */
  sessions(): SessionInfo[] {
    this.catchUp()
    return this.sessionRecords.map((s, i) => ({ id: s.id, label: `s${i + 1}`, start: sessionStartTime(s.id) ?? s.first, last: s.last, entries: s.entries }))
  }

  /** A session's short label (`s3`, see {@link SessionInfo.label}); the id itself for a session with no entries. */
  label(sessionId: string): string {
    this.catchUp()
    return this.labelOf(sessionId)
  }

  /** {@link formatEntries} with this store's session labels. */
  format(entries: readonly Entry[], options: FormatOptions = {}): string {
    this.catchUp()
    return formatEntries(entries, { label: (id) => this.labelOf(id), ...options })
  }

  stats(): StoreStats {
    this.catchUp()
    return { entries: this.count, sessions: this.sessionRecords.length, skipped: this.reader.skipped, bytes: this.reader.offset }
  }

  /**
   * Makes every entry appended so far durable on disk (fdatasync), so it survives an OS crash or a
   * power loss too. Not needed against a process crash: a returned append is already in the OS.
   */
  flush(): Promise<void> {
    if (this.closed) return this.closing ?? Promise.resolve()
    return this.sync()
  }

  /** Flushes and closes; appends after this throw. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing
    this.closed = true
    this.closing = this.sync().finally(() => this.closeFiles())
    return this.closing
  }

  private closeFiles(): void {
    let failure: unknown
    for (const fd of [this.appendFd, this.readFd]) {
      try {
        closeSync(fd)
      } catch (error) {
        failure ??= error // still close the other one
      }
    }
    if (failure) throw failure
  }

  private labelOf(sessionId: string): string {
    const number = this.sessionNumbers.get(sessionId)
    return number === undefined ? sessionId : `s${number + 1}`
  }

  private sync(): Promise<void> {
    // Chained, so close() waits for every fdatasync still running before it closes the descriptor.
    const done = this.syncing.then(() => new Promise<void>((resolve, reject) => fdatasync(this.appendFd, (error) => (error ? reject(error) : resolve()))))
    this.syncing = done.catch(() => undefined)
    return done
  }

  private append(fields: AppendFields): Entry {
    if (this.closed) throw new Error(`the session store is closed (session ${this.sessionId}): cannot append any more`)
    const seq = this.nextSeq++
    const bounded = boundText(fields.text)
    const text = this.redact(bounded.text)
    const bytes = bounded.bytes
    // Absent fields are undefined rather than spread in: one object shape for every entry.
    const entry: Entry = {
      v: 1,
      id: `${this.sessionId}.${seq}`,
      session: this.sessionId,
      seq,
      time: fields.time,
      kind: fields.kind,
      mode: fields.mode,
      channel: fields.channel,
      stream: fields.stream,
      taskId: fields.taskId,
      evalId: fields.evalId,
      of: fields.of,
      ok: fields.ok,
      redacted: text !== bounded.text ? true : undefined,
      text,
      bytes
    }
    this.write(encodeEntry(entry))
    return entry
  }

  private write(line: string): void {
    try {
      // The one write(2) the atomicity above depends on: never split a line into several writes.
      const written = writeSync(this.appendFd, line)
      const size = Buffer.byteLength(line)
      if (written !== size) {
        this.dropTornLine(line, written)
        throw Object.assign(new Error(`short write: ${written} of ${size} bytes (the disk is full or the file size limit is reached)`), { code: 'ENOSPC' })
      }
      if (this.failing) this.logger.info('session store: appending works again', { file: this.file })
      this.failing = false
    } catch (error) {
      // Losing history must not break the REPL: report once per run of failures, keep going.
      if (this.failing) return
      this.failing = true // first: the report below may itself be output that is appended (and fails)
      this.logger.error('session store: cannot append; entries are lost until it works again', { file: this.file, error: String(error) })
      if (this.told) return
      this.told = true
      this.onWriteFailure?.(
        `The session store could not write (${describeWriteError(error)}): from now on this session may not be fully recorded (${this.file}).`
      )
    }
  }

  /**
   * A short write left part of our line at the end of the file: cut it off, so the file holds only
   * whole entries. Only if the end of the file is that part (another process may have appended
   * after it: then its line is glued to our fragment and the reader recovers it, see entry.ts).
   */
  private dropTornLine(line: string, written: number): void {
    if (written <= 0) return
    try {
      const end = fstatSync(this.appendFd).size
      const tail = Buffer.alloc(written)
      if (end < written || readSync(this.readFd, tail, 0, written, end - written) !== written) return
      if (tail.equals(Buffer.from(line).subarray(0, written))) ftruncateSync(this.appendFd, end - written)
    } catch (error) {
      this.logger.warn('session store: could not remove a torn line; readers skip it', { file: this.file, error: String(error) })
    }
  }

  /** Reads what was appended since the last read, by any process. */
  private catchUp(): void {
    if (this.closed) throw new Error(`the session store is closed (session ${this.sessionId})`)
    let more = true
    while (more) more = this.reader.read(this.onEntry)
  }

  private readonly onEntry: OnEntry = (entry, offset, length) => {
    let number = this.sessionNumbers.get(entry.session)
    if (number === undefined) {
      number = this.sessionRecords.length
      this.sessionNumbers.set(entry.session, number)
      this.sessionRecords.push({ id: entry.session, first: entry.time, last: entry.time, entries: 0, maxSeq: 0 })
    }
    const session = this.sessionRecords[number]!
    session.entries++
    session.last = Math.max(session.last, entry.time)
    session.maxSeq = Math.max(session.maxSeq, entry.seq)
    if (this.count === this.offsets.length) this.grow()
    this.offsets[this.count] = offset
    this.lengths[this.count] = length
    this.sessionOf[this.count] = number
    this.kindOf[this.count] = KIND_CODES[entry.kind]
    this.forms.push(searchForm(entry.text))
    this.count++
  }

  private grow(): void {
    const grown = <T extends Float64Array | Uint32Array | Uint8Array>(array: T, make: (size: number) => T): T => {
      const bigger = make(array.length * 2)
      bigger.set(array)
      return bigger
    }
    this.offsets = grown(this.offsets, (size) => new Float64Array(size))
    this.lengths = grown(this.lengths, (size) => new Uint32Array(size))
    this.sessionOf = grown(this.sessionOf, (size) => new Uint32Array(size))
    this.kindOf = grown(this.kindOf, (size) => new Uint8Array(size))
  }

  /** The entries with these numbers, read back from the file (an entry no longer readable is left out). */
  private entriesAt(numbers: readonly number[]): Entry[] {
    const entries: Entry[] = []
    for (const n of numbers) {
      const length = this.lengths[n]!
      const buffer = Buffer.allocUnsafe(length)
      const read = readSync(this.readFd, buffer, 0, length, this.offsets[n]!)
      const entry = read === length ? parseEntry(buffer.toString('utf8', 0, read)) : undefined
      if (entry) entries.push(entry)
    }
    return entries
  }
}
