/**
 * A small iCalendar (RFC 5545) reader: enough to turn a day's calendar into {@link CalendarResult}.
 * bae split each line on the first ":" inside `BEGIN:VEVENT … END:VEVENT`; this one also handles
 * what real calendar exports contain:
 * - line folding (§3.1): a line that starts with a space or tab continues the previous one. Given
 *   bytes, it unfolds before decoding UTF-8, so a character split across a fold survives;
 * - parameters (§3.2): `DTSTART;TZID=Europe/Paris:…`, `DESCRIPTION;ALTREP="cid:x":…` (quoted
 *   parameter values may hold `:` `;` `,`);
 * - escaped text (§3.3.11): `\,` `\;` `\\` and `\n`/`\N` (a newline);
 * - CATEGORIES as a list split on unescaped commas, over one or several CATEGORIES lines;
 * - nested components: a VALARM's DESCRIPTION stays out of its event.
 * DTSTART/DTEND are kept as written (`20260205T090000`, `20260205T170000Z`, `20260205`): no
 * time-zone conversion. Lines it cannot read are skipped, as calendar clients do.
 */
import { CalendarEvent, type CalendarResult } from './models'

/** One content line: `NAME;PARAM=a,b;OTHER="x:y":value`. Names are upper-cased; the value is raw (still escaped). */
export interface ContentLine {
  readonly name: string
  readonly params: Readonly<Record<string, readonly string[]>>
  readonly value: string
}

const CR = 0x0d
const LF = 0x0a
const SPACE = 0x20
const TAB = 0x09

/** Removes every fold (CRLF or LF, then one space or tab) from raw bytes. */
function unfoldBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length)
  let n = 0
  for (let i = 0; i < bytes.length; i++) {
    const newline = bytes[i] === CR && bytes[i + 1] === LF ? 2 : bytes[i] === LF ? 1 : 0
    const next = bytes[i + newline]
    if (newline && (next === SPACE || next === TAB)) {
      i += newline // skip the line break and the one whitespace character after it
      continue
    }
    out[n++] = bytes[i]!
  }
  return out.subarray(0, n)
}

/** The logical lines of a calendar: folds undone, line breaks CRLF, LF or CR, empty lines dropped. */
export function unfoldIcs(text: string): string[] {
  const lines: string[] = []
  for (const physical of text.split(/\r\n|\n|\r/)) {
    if ((physical.startsWith(' ') || physical.startsWith('\t')) && lines.length) lines[lines.length - 1] += physical.slice(1)
    else if (physical.length) lines.push(physical)
  }
  return lines
}

/** Parses one unfolded content line; undefined when it is not `name[;params]:value`. */
export function parseContentLine(line: string): ContentLine | undefined {
  const nameEnd = line.search(/[;:]/)
  if (nameEnd <= 0) return undefined
  const params: Record<string, string[]> = {}
  let pos = nameEnd
  while (line[pos] === ';') {
    const equals = line.indexOf('=', pos + 1)
    if (equals < 0) return undefined
    const name = line.slice(pos + 1, equals).toUpperCase()
    const values: string[] = []
    pos = equals
    do {
      pos++ // past the '=' or the ',' between values
      if (line[pos] === '"') {
        const close = line.indexOf('"', pos + 1)
        if (close < 0) return undefined
        values.push(line.slice(pos + 1, close))
        pos = close + 1
      } else {
        let end = pos
        while (end < line.length && !';:,'.includes(line[end]!)) end++
        values.push(line.slice(pos, end))
        pos = end
      }
    } while (line[pos] === ',')
    params[name] = values
  }
  if (line[pos] !== ':') return undefined
  return { name: line.slice(0, nameEnd).toUpperCase(), params, value: line.slice(pos + 1) }
}

/** TEXT value unescaping: `\\` → `\`, `\,` → `,`, `\;` → `;`, `\n` or `\N` → a newline; any other backslash is kept. */
export function unescapeIcsText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c))
}

/** Splits a list value on the commas that are not escaped (`a\,b,c` → [`a\,b`, `c`]), still escaped. */
function splitList(value: string): string[] {
  const parts: string[] = []
  let current = ''
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!
    if (c === '\\' && i + 1 < value.length) {
      current += c + value[++i]
    } else if (c === ',') {
      parts.push(current)
      current = ''
    } else {
      current += c
    }
  }
  parts.push(current)
  return parts
}

/** The events (VEVENT components) of an iCalendar text, or of its raw bytes (UTF-8). */
export function parseIcs(input: string | Uint8Array): CalendarResult {
  const text = typeof input === 'string' ? input : new TextDecoder().decode(unfoldBytes(input))
  const events: CalendarEvent[] = []
  const open: string[] = [] // the components we are inside, innermost last
  let event: { -readonly [K in keyof CalendarEvent]: CalendarEvent[K] } | undefined
  for (const line of unfoldIcs(text)) {
    const prop = parseContentLine(line)
    if (!prop) continue
    if (prop.name === 'BEGIN') {
      const component = prop.value.trim().toUpperCase()
      open.push(component)
      if (component === 'VEVENT') event = CalendarEvent.parse({})
      continue
    }
    if (prop.name === 'END') {
      const component = prop.value.trim().toUpperCase()
      const at = open.lastIndexOf(component)
      if (at >= 0) open.length = at // also closes anything left open inside it
      if (component === 'VEVENT' && event) {
        events.push(event)
        event = undefined
      }
      continue
    }
    if (!event || open.at(-1) !== 'VEVENT') continue // a property of the calendar, or of a VALARM inside the event
    switch (prop.name) {
      case 'SUMMARY':
        event.summary = unescapeIcsText(prop.value)
        break
      case 'LOCATION':
        event.location = unescapeIcsText(prop.value)
        break
      case 'DESCRIPTION':
        event.description = unescapeIcsText(prop.value)
        break
      case 'DTSTART':
        event.start = prop.value
        break
      case 'DTEND':
        event.end = prop.value
        break
      case 'CATEGORIES':
        event.categories.push(
          ...splitList(prop.value)
            .map((c) => unescapeIcsText(c).trim())
            .filter(Boolean)
        )
        break
    }
  }
  return { events }
}
