import { describe, expect, it } from 'vitest'
import { stripAnsi } from './ansi'
import { TerminalMarkdown } from './markdown'

function render(text: string, color = true): string {
  const markdown = new TerminalMarkdown({ color })
  return markdown.write(text) + markdown.end()
}

/** The SGR codes in effect at the end of `text` (empty: plain). */
function openStyles(text: string): string {
  // eslint-disable-next-line no-control-regex -- reading SGR sequences is the point
  const codes = [...text.matchAll(/\x1b\[([0-9;]*)m/g)].map((match) => match[1]!)
  const last = codes.at(-1)
  return last === undefined || last === '0' || last === '' ? '' : last
}

const DOCUMENTS = [
  '# Title\n\nSome **bold** and *italic* text with `code` and a [link](https://example.com/x).\n',
  '## Steps\n\n1. First `npm install`\n2. Then **run** it\n- a bullet\n* another\n  - nested\n\n> a quote with *emphasis*\n',
  'Code:\n\n```ts\nconst x: number = 1 // one\nconst s = `two\nlines`\n```\n\nAfter the block, 2 * 3 = 6 and a_b_c.\n',
  '```\nplain code\n```\nEnd without newline **still bold',
  '---\nA [broken link](no close and a [x] bracket.\n\\*not italic\\* and \\`not code\\`\n### Heading with `code` inside\n'
]

describe('TerminalMarkdown', () => {
  it('renders headings bold, emphasis, inline code coloured, and takes the markers out', () => {
    const out = render('# Title\nSome **bold**, *italic* and `code`.\n')
    expect(stripAnsi(out)).toBe('Title\nSome bold, italic and code.\n')
    expect(out).toContain('\x1b[0;1mTitle\x1b[0m\n')
    expect(out).toContain('\x1b[0;1mbold\x1b[0m')
    expect(out).toContain('\x1b[0;3mitalic\x1b[0m')
    expect(out).toContain('\x1b[0;36mcode\x1b[0m')
  })

  it('draws bullets with a glyph, keeps numbers, dims quotes with a bar', () => {
    expect(stripAnsi(render('- one\n* two\n  + three\n1. first\n> said\n'))).toBe('• one\n• two\n  • three\n1. first\n│ said\n')
    expect(render('> said\n')).toBe('\x1b[0;2m│ said\x1b[0m\n')
  })

  it('shows a link as its text and its URL', () => {
    expect(stripAnsi(render('See [the docs](https://example.com/d).\n'))).toBe('See the docs (https://example.com/d).\n')
  })

  it('highlights JS/TS in fenced blocks as a whole (a template spanning lines keeps its colour) and colours other code', () => {
    const out = render('```ts\nconst s = `a\nb`\n```\n```sh\nls -l\n```\n')
    expect(stripAnsi(out)).toBe('```ts\nconst s = `a\nb`\n```\n```sh\nls -l\n```\n')
    expect(out).toContain('\x1b[35mconst\x1b[0m')
    expect(out).toContain('\x1b[33mb`\x1b[0m')
    expect(out).toContain('\x1b[36mls -l\x1b[0m')
    // Markers inside code are code.
    expect(stripAnsi(render('```\n**not bold**\n```\n'))).toContain('**not bold**')
  })

  it('streams a JS block whose template never closes in linear time: past a few kB the rest is plain code', () => {
    const markdown = new TerminalMarkdown()
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} of a template that never closes`)
    const started = performance.now()
    let out = markdown.write('```js\nconst page = `\n')
    for (const line of lines) out += markdown.write(`${line}\n`)
    out += markdown.end()
    expect(performance.now() - started).toBeLessThan(2_000) // re-highlighting the whole open block per line took minutes
    expect(stripAnsi(out)).toBe(`\`\`\`js\nconst page = \`\n${lines.join('\n')}\n`)
    expect(out).toContain('\x1b[33mline 0 of a template that never closes\x1b[0m') // still the template's colour
    expect(out).toContain('\x1b[36mline 19999 of a template that never closes\x1b[0m') // plain code
  })

  it('leaves a plain star, escapes and a bracket that is no link as they are', () => {
    expect(stripAnsi(render('2 * 3 and \\*x\\* and [x] y\n'))).toBe('2 * 3 and *x* and [x] y\n')
  })

  it('shows text as soon as it is unambiguous, holding back only a possible marker', () => {
    const markdown = new TerminalMarkdown()
    expect(stripAnsi(markdown.write('Hello wor'))).toBe('Hello wor')
    expect(markdown.write('ld *')).toBe('ld ')
    expect(markdown.write('*bo')).toBe('\x1b[0;1mbo')
    expect(markdown.write('ld*')).toBe('ld')
    expect(markdown.write('* and\n#')).toBe('\x1b[0m and\n')
    expect(markdown.write('# Head')).toBe('\x1b[0;1mHead')
    expect(markdown.end()).toBe('\x1b[0m')
  })

  it('closes every open style at the end, so the prompt never inherits a colour', () => {
    for (const text of ['**bold', '*it', '`code', '# head', '> quote', '```ts\nconst x', '[dangling']) expect(openStyles(render(text)), text).toBe('')
  })

  it('without colour writes no escape sequences at all', () => {
    for (const document of DOCUMENTS) expect(render(document, false)).toBe(stripAnsi(render(document)))
  })

  it('gives the same output however the text is chunked (random chunkings of several documents)', () => {
    let seed = 7
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (const document of DOCUMENTS) {
      const whole = render(document)
      for (let round = 0; round < 200; round++) {
        const markdown = new TerminalMarkdown()
        let out = ''
        for (let at = 0; at < document.length;) {
          const size = 1 + Math.floor(random() * (round % 2 ? 3 : 12))
          out += markdown.write(document.slice(at, at + size))
          at += size
        }
        out += markdown.end()
        expect(out, `${JSON.stringify(document)} round ${round}`).toBe(whole)
      }
    }
  })
})
