import { describe, expect, it } from 'vitest'
import { findPathLinks } from './path-links'

const paths = (text: string) => findPathLinks(text).map(({ path, line, column }) => ({ path, line, column }))

describe('findPathLinks', () => {
  it('finds absolute, ./ and ../ paths and relative ones with a folder and an extension', () => {
    expect(paths('wrote /tmp/out/report.json and ./notes.md, then ../up/x.ts')).toEqual([
      { path: '/tmp/out/report.json', line: undefined, column: undefined },
      { path: './notes.md', line: undefined, column: undefined },
      { path: '../up/x.ts', line: undefined, column: undefined }
    ])
  })

  it('reads :line:col, also inside a stack frame and from a file:// URL', () => {
    expect(paths('    at main (examples/ootd/index.ts:12:5)')).toEqual([{ path: 'examples/ootd/index.ts', line: 12, column: 5 }])
    expect(paths('at file:///home/me/app/run.mjs:3:14')).toEqual([{ path: '/home/me/app/run.mjs', line: 3, column: 14 }])
    expect(paths('see src/a.ts:7')).toEqual([{ path: 'src/a.ts', line: 7, column: undefined }])
  })

  it('gives the exact range of the link text', () => {
    const text = 'error in (src/main/index.ts:4:2) here'
    const [match] = findPathLinks(text)
    expect(text.slice(match!.start, match!.end)).toBe('src/main/index.ts:4:2')
  })

  it('leaves URLs, prose with slashes, dotted names and a lone slash alone', () => {
    expect(paths('see https://example.com/docs/a.js and and/or console.log(x) a.b.c / 1/2')).toEqual([])
  })

  it('does not take a full stop ending the sentence', () => {
    expect(paths('Saved to /tmp/trace.jsonl.')).toEqual([{ path: '/tmp/trace.jsonl', line: undefined, column: undefined }])
  })
})
