import { describe, expect, it } from 'vitest'
import { boundText, encodeEntry, isValidSessionId, LINE_START, MAX_TEXT_BYTES, newSessionId, parseEntry, sessionStartTime, type Entry } from './entry'

const entry = (over: Partial<Entry> = {}): Entry => ({
  v: 1,
  id: 's.1',
  session: 's',
  seq: 1,
  time: 1_700_000_000_000,
  kind: 'input',
  mode: 'js',
  text: 'x',
  ...over
})

/** Valid UTF-16: no lone surrogate (a cut through a character would leave one, or a U+FFFD). */
const wellFormed = (text: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\ufffd/.test(text)

describe('encodeEntry / parseEntry', () => {
  it('writes one line starting with LINE_START, keys in order, whatever the text holds', () => {
    const text = 'a\nb\r\n"quoted"\u2028{"v":1,"id":"fake"}\t\x1b[31mred\x1b[0m 🎉'
    const line = encodeEntry({ ...entry({ kind: 'output', channel: 'bash', stream: 'stderr', taskId: 'b2', evalId: 3, text, bytes: 9 }), mode: undefined })
    expect(line.endsWith('\n')).toBe(true)
    expect(line.slice(0, -1)).not.toContain('\n')
    expect(line.startsWith(LINE_START)).toBe(true)
    // A line start inside the text is escaped, so it can never be mistaken for an entry's start.
    expect(line.indexOf(LINE_START, 1)).toBe(-1)
    expect(Object.keys(JSON.parse(line))).toEqual(['v', 'id', 'session', 'seq', 'time', 'kind', 'channel', 'stream', 'taskId', 'evalId', 'text', 'bytes'])
    expect(parseEntry(line.slice(0, -1))?.text).toBe(text)
  })

  it('writes what JSON.stringify with the documented key list writes, byte for byte, whatever order the fields were set in', () => {
    const documentedOrder = [
      'v',
      'id',
      'session',
      'seq',
      'time',
      'kind',
      'mode',
      'channel',
      'stream',
      'taskId',
      'evalId',
      'of',
      'ok',
      'redacted',
      'text',
      'bytes'
    ]
    const entries: Entry[] = [
      entry(),
      // The store sets its fields in another order than the file's (time after text).
      { text: 'const x = 1', time: 1_700_000_000_123, kind: 'input', mode: 'nl', seq: 2, session: 's', id: 's.2', v: 1 },
      entry({ kind: 'output', mode: undefined, channel: 'graph', stream: 'stdout', taskId: 'g1', evalId: 0, text: '' }),
      entry({ kind: 'event', mode: undefined, of: 12, ok: false, text: 'e12 failed: "boom"\n\u0000\ud83c' }),
      entry({ redacted: true, text: 'key=[redacted] \u2028 \\ 🎉', bytes: 123_456 })
    ]
    for (const value of entries) expect(encodeEntry(value)).toBe(`${JSON.stringify(value, documentedOrder)}\n`)
  })

  it('drops keys that are not part of the format', () => {
    const line = encodeEntry({ ...entry(), extra: 'no' } as Entry)
    expect(JSON.parse(line)).not.toHaveProperty('extra')
  })

  it('rejects what is not a version-1 entry', () => {
    const good = encodeEntry(entry()).trim()
    expect(parseEntry(good)).toEqual(entry())
    expect(parseEntry(good.slice(0, -5))).toBeUndefined() // torn
    expect(parseEntry('')).toBeUndefined()
    expect(parseEntry('null')).toBeUndefined()
    expect(parseEntry('[1]')).toBeUndefined()
    expect(parseEntry(good.replace('"v":1', '"v":2'))).toBeUndefined()
    expect(parseEntry(good.replace('"kind":"input"', '"kind":"other"'))).toBeUndefined()
    expect(parseEntry(good.replace('"seq":1', '"seq":1.5'))).toBeUndefined()
    expect(parseEntry(good.replace('"text":"x"', '"text":5'))).toBeUndefined()
    expect(parseEntry(JSON.stringify({ ...entry(), taskId: 7 }))).toBeUndefined()
  })
})

describe('boundText', () => {
  it('keeps text up to the limit as it is', () => {
    expect(boundText('hello')).toEqual({ text: 'hello' })
    const exact = 'é'.repeat(MAX_TEXT_BYTES / 2) // 2 bytes each: exactly the limit
    expect(boundText(exact)).toEqual({ text: exact })
  })

  it('cuts a longer text to the limit: head, marker with the bytes left out, tail; records the original size', () => {
    const text = `${'a'.repeat(50_000)}MIDDLE${'z'.repeat(50_000)}`
    const { text: kept, bytes } = boundText(text)
    expect(bytes).toBe(100_006)
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(MAX_TEXT_BYTES)
    expect(Buffer.byteLength(kept)).toBeGreaterThan(MAX_TEXT_BYTES - 100)
    const marker = /\n… \[truncated (\d+) bytes\] …\n/.exec(kept)!
    expect(kept.startsWith('aaaa')).toBe(true)
    expect(kept.endsWith('zzzz')).toBe(true)
    expect(kept).not.toContain('MIDDLE')
    // Head + tail + what the marker says was left out = the original.
    expect(Buffer.byteLength(kept) - Buffer.byteLength(marker[0]) + Number(marker[1])).toBe(bytes)
  })

  it('never cuts through a character (2-, 3- and 4-byte UTF-8, surrogate pairs) at either end', () => {
    for (const unit of ['é', '中', '🎉', 'a🎉é中']) {
      for (const shift of [0, 1, 2, 3]) {
        const text = 'x'.repeat(shift) + unit.repeat(Math.ceil((MAX_TEXT_BYTES * 2) / Buffer.byteLength(unit))) + 'y'.repeat(shift)
        const { text: kept, bytes } = boundText(text)
        expect(bytes).toBe(Buffer.byteLength(text))
        expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(MAX_TEXT_BYTES)
        expect(wellFormed(kept)).toBe(true)
      }
    }
  })

  it('bounds a 10 MB text quickly', () => {
    const text = 'log line with some words\n'.repeat(420_000) // ~10.5 MB
    const started = performance.now()
    const { text: kept, bytes } = boundText(text)
    expect(performance.now() - started).toBeLessThan(500)
    expect(bytes).toBe(text.length)
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(MAX_TEXT_BYTES)
    expect(kept).toMatch(/… \[truncated \d+ bytes\] …/)
  })
})

describe('session ids', () => {
  it('are unique, valid, sort by start time and say when they started', () => {
    const ids = [newSessionId(1_000), newSessionId(2_000_000_000_000), newSessionId(2_000_000_000_001)]
    expect([...ids].sort()).toEqual(ids)
    expect(ids.map(sessionStartTime)).toEqual([1_000, 2_000_000_000_000, 2_000_000_000_001])
    expect(new Set(Array.from({ length: 1000 }, () => newSessionId(5))).size).toBe(1000)
    expect(ids.every(isValidSessionId)).toBe(true)
    expect(sessionStartTime('my-session')).toBeUndefined()
  })

  it('refuses ids that could not be a file-safe name', () => {
    for (const bad of ['', '../x', 'a b', 'a/b', '.hidden', 'x'.repeat(65)]) expect(isValidSessionId(bad)).toBe(false)
  })
})
