import type { Entry } from './entry'

export interface FormatOptions {
  /** A session's short name in the listing (default: its id); `SessionStore.format` passes `s1`, `s2`… */
  label?: (sessionId: string) => string
  /** Characters of text shown per entry before it is cut with `…` (default 100). */
  width?: number
}

const pad = (n: number) => String(n).padStart(2, '0')

/** Local time, to the second: `2026-11-25 14:03:12`. */
function localTime(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** What the entry is: the mode of an input (`js`), the channel and stream of an output (`bash:err`), or `event`. */
function tag(entry: Entry): string {
  if (entry.kind === 'input') return entry.mode ?? 'input'
  if (entry.kind === 'output') return `${entry.channel ?? 'output'}:${entry.stream === 'stderr' ? 'err' : 'out'}`
  return 'event'
}

// eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g
// eslint-disable-next-line no-control-regex -- control characters would move the cursor or ring the bell
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g

/** One line of plain text: no colours or control characters, line breaks shown as `\n`, at most `width` characters. */
function oneLine(text: string, width: number): string {
  // Only the start is shown: a 64 KiB output is never processed whole.
  const long = text.length > width * 4 + 16
  const start = long ? text.slice(0, width * 4 + 16) : text.replace(/\n+$/, '')
  const plain = start.replace(ANSI, '').replace(/\r?\n/g, '\\n').replace(/\t/g, ' ').replace(CONTROL, '')
  const characters = Array.from(plain) // by code point: never cut an emoji in half
  const cut = long || characters.length > width
  return cut ? `${characters.slice(0, width - 1).join('')}…` : plain
}

/**
 * Entries as text for the REPL, one line each:
 * `[2026-11-25 14:03:12 s1 #12 js] const x = 20`, `[2026-11-25 14:03:12 s1 #13 js:out] 20`.
 */
export function formatEntries(entries: readonly Entry[], options: FormatOptions = {}): string {
  const label = options.label ?? ((id: string) => id)
  const width = Math.max(8, options.width ?? 100)
  return entries.map((e) => `[${localTime(e.time)} ${label(e.session)} #${e.seq} ${tag(e)}] ${oneLine(e.text, width)}`).join('\n')
}
