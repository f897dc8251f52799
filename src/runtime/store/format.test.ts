import { describe, expect, it } from 'vitest'
import type { Entry } from './entry'
import { formatEntries } from './format'

// Built from local time parts, so the expected text holds in any time zone.
const at = new Date(2026, 10, 25, 14, 3, 12).getTime()
const entry = (over: Partial<Entry>): Entry => ({ v: 1, id: 'S.1', session: 'S', seq: 12, time: at, kind: 'input', mode: 'js', text: 'const x = 20', ...over })

describe('formatEntries', () => {
  it('prints one line per entry: local time, session label, seq, what it is, text', () => {
    const text = formatEntries(
      [
        entry({}),
        entry({ seq: 13, kind: 'output', channel: 'js', stream: 'stdout', text: '20\n' }),
        entry({ seq: 14, kind: 'output', channel: 'bash', stream: 'stderr', text: 'ls: x: No such file\n' }),
        entry({ seq: 15, kind: 'event', text: 'graph g1 done' })
      ],
      { label: (id) => (id === 'S' ? 's1' : '?') }
    )
    expect(text.split('\n')).toEqual([
      '[2026-11-25 14:03:12 s1 #12 js] const x = 20',
      '[2026-11-25 14:03:12 s1 #13 js:out] 20',
      '[2026-11-25 14:03:12 s1 #14 bash:err] ls: x: No such file',
      '[2026-11-25 14:03:12 s1 #15 event] graph g1 done'
    ])
  })

  it('keeps each entry on one line of plain text, cut with an ellipsis', () => {
    const [line] = formatEntries([entry({ text: 'a\nb\r\n\x1b[31mred\x1b[0m\tend\x07\n\n' })]).split('\n')
    expect(line).toBe('[2026-11-25 14:03:12 S #12 js] a\\nb\\nred end')
    const long = formatEntries([entry({ text: `${'🎉'.repeat(200)}` })], { width: 10 })
    expect(long).toBe(`[2026-11-25 14:03:12 S #12 js] ${'🎉'.repeat(9)}…`)
    const huge = formatEntries([entry({ text: 'x'.repeat(1_000_000) })])
    expect(huge.length).toBeLessThan(200)
    expect(huge.endsWith('…')).toBe(true)
  })
})
