import { describe, expect, it } from 'vitest'
import { matches, parseQuery, SEARCH_HEAD_CHARS, SEARCH_TAIL_CHARS, searchForm } from './search'

const find = (text: string, query: string) => matches(searchForm(text), parseQuery(query))

describe('search', () => {
  it('parses terms and quoted phrases; lower case; a phrase word is a term too', () => {
    expect(parseQuery('')).toEqual({ terms: [], phrases: [] })
    const q = parseQuery('Fetch "Status 404" x "unterminated Quote')
    expect(q.terms).toEqual(['unterminated', 'status', 'fetch', 'quote', '404', 'x'])
    expect(q.phrases.map(String)).toEqual(['/status\\s+404/', '/unterminated\\s+quote/'])
    expect(parseQuery('"a.b(c)" "a.b (c)"').phrases[0]!.test('a.b (c)')).toBe(true) // regexp characters are literal
  })

  it('matches when every term occurs, anywhere, in any case', () => {
    expect(find('const Response = await fetch(url)', 'FETCH response')).toBe(true)
    expect(find('console.log(x)', 'cons')).toBe(true)
    expect(find('console.log(x)', 'cons missing')).toBe(false)
    expect(find('anything', '')).toBe(true)
  })

  it('matches a phrase in order, across any whitespace, not split up or reversed', () => {
    expect(find('GET /users\n  Status   404 Not Found', '"status 404"')).toBe(true)
    expect(find('status was 404', '"status 404"')).toBe(false)
    expect(find('404 status', '"status 404"')).toBe(false)
  })

  it('ignores colours', () => {
    expect(find('\x1b[31mTypeError\x1b[0m: x is \x1b[1mnot\x1b[22m defined', '"typeerror: x is not defined"')).toBe(true)
  })

  it('keeps the head and the tail of a long text, and never matches across the gap', () => {
    const text = `HEAD-START ${'m'.repeat(20_000)} middle-only ${'m'.repeat(20_000)} tail-end`
    const form = searchForm(text)
    expect(form.length).toBe(SEARCH_HEAD_CHARS + 1 + SEARCH_TAIL_CHARS)
    expect(find(text, 'head-start tail-end')).toBe(true)
    expect(find(text, 'middle-only')).toBe(false)
    const gap = `${'a'.repeat(SEARCH_HEAD_CHARS - 3)}end ${'b'.repeat(20_000)}start${'c'.repeat(SEARCH_TAIL_CHARS - 5)}`
    expect(find(gap, 'end')).toBe(true)
    expect(find(gap, 'start')).toBe(true)
    expect(find(gap, '"end start"')).toBe(false)
  })
})
