import { RESET, sgr } from './ansi'
import { highlightTokens } from './highlight'
import { tokenize } from './js-tokens'

const CODE = '36'
const JS_LANGUAGES = new Set(['js', 'javascript', 'jsx', 'mjs', 'cjs', 'ts', 'typescript', 'tsx', 'mts', 'cts'])
/**
 * Most text of a JS block re-highlighted for each of its lines while a template literal or comment
 * stays open: past it, the rest of the block is painted as plain code, so that streaming a block
 * with a literal never closed costs linear time, not quadratic.
 */
const MAX_CARRIED = 4000
/** Longest link text or URL held back while waiting for `](url)`; past it, the `[` was no link. */
const MAX_LINK = 300

/** Could the start of a line (no line break yet) still become a block marker? Then it is held back. */
const UNDECIDED_LINE_START = [/^ *$/, /^ *#{1,6}$/, /^ *`{1,2}$/, /^ *```[^\n]*$/, /^ *~~~[^\n]*$/, /^ *[-*+_]+ *$/, /^ *\d{1,9}\.?$/, /^ *>$/]

interface Fence {
  marker: string
  js: boolean
  /** The block's lines since its colours last started afresh (a template or comment spanning lines keeps its colour). */
  source: string
  /** The block's colours gave up (see MAX_CARRIED): its remaining lines are plain code. */
  plain?: boolean
}

/**
 * Markdown to ANSI for a terminal, streamed: `write` takes the answer in any chunks (a token may
 * split `**`, a fence or a heading marker) and returns what can be shown now; only the few
 * characters that could still be a marker are held back (a line start, a `*` at the end of a
 * chunk, a link until its `)`; a code line until its end, for highlighting). The output does not
 * depend on how the text was chunked. Styles never outlive their line, and `end` closes whatever is
 * open, so a prompt drawn after it never inherits a colour.
 */
export class TerminalMarkdown {
  private readonly color: boolean
  private buffer = ''
  private atLineStart = true
  private fence: Fence | undefined
  private lineStyle: '' | 'heading' | 'quote' = ''
  private bold = false
  private italic = false
  private code = false
  /** An SGR other than the reset is in effect on the current line. */
  private styled = false

  constructor(options: { color?: boolean } = {}) {
    this.color = options.color ?? true
  }

  /** The part of the answer so far that is unambiguous, as terminal text. */
  write(chunk: string): string {
    this.buffer += chunk
    return this.drain(false)
  }

  /** The rest, with every open style closed; the renderer is then ready for a new document. */
  end(): string {
    let out = this.drain(true)
    out += this.closeLine()
    this.fence = undefined
    this.atLineStart = true
    return out
  }

  private drain(final: boolean): string {
    let out = ''
    while (this.buffer) {
      const step = this.fence ? this.fenceStep(this.fence, final) : this.atLineStart ? this.lineStartStep(final) : this.inlineStep(final)
      if (step === undefined) break
      out += step
    }
    return out
  }

  /** Inside a fenced block: one whole line (code, or the closing fence). */
  private fenceStep(fence: Fence, final: boolean): string | undefined {
    const end = this.buffer.indexOf('\n')
    if (end < 0 && !final) return undefined
    const line = end < 0 ? this.buffer : this.buffer.slice(0, end)
    this.buffer = end < 0 ? '' : this.buffer.slice(end + 1)
    if (line.trim().startsWith(fence.marker) && line.trim().replace(/^[`~]+/, '') === '') {
      this.fence = undefined
      return `${this.paint('2', line)}${end < 0 ? '' : '\n'}`
    }
    return this.codeLine(fence, line) + (end < 0 ? '' : '\n')
  }

  private codeLine(fence: Fence, line: string): string {
    if (!fence.js || fence.plain) return this.paint(CODE, line)
    if (!this.color) return line
    fence.source += `${line}\n`
    // The block from where its colours last depended on earlier lines, highlighted; its last line is
    // this one (highlighting closes colours at line ends). Only an open template, comment or string
    // carries over: otherwise the next line starts afresh, so a long block stays linear to stream.
    const scanned = tokenize(fence.source)
    const lines = highlightTokens(fence.source, scanned.tokens).split('\n')
    if (!scanned.literalOpen) fence.source = ''
    else if (fence.source.length > MAX_CARRIED) fence.plain = true
    return lines[lines.length - 2] ?? line
  }

  /** At a line start: decides the block (heading, fence, bullet, quote, rule) once the marker is unambiguous. */
  private lineStartStep(final: boolean): string | undefined {
    const newline = this.buffer.indexOf('\n')
    const head = newline < 0 ? this.buffer : this.buffer.slice(0, newline)
    if (newline < 0 && !final && UNDECIDED_LINE_START.some((pattern) => pattern.test(head))) return undefined
    this.atLineStart = false
    const fence = /^ *(```+|~~~+) *([\w+#.-]*)[^\n]*$/.exec(head)
    if (fence) {
      this.buffer = newline < 0 ? '' : this.buffer.slice(newline + 1)
      this.fence = { marker: fence[1]!, js: JS_LANGUAGES.has(fence[2]!.toLowerCase()), source: '' }
      this.atLineStart = true
      return `${this.paint('2', head)}${newline < 0 ? '' : '\n'}`
    }
    if (/^ *([-*_])( *\1){2,} *$/.test(head)) {
      this.buffer = newline < 0 ? '' : this.buffer.slice(newline + 1)
      this.atLineStart = true
      return `${this.paint('2', '─'.repeat(40))}${newline < 0 ? '' : '\n'}`
    }
    const heading = /^ *#{1,6}(?: +|$)/.exec(head)
    if (heading) {
      this.buffer = this.buffer.slice(heading[0].length)
      this.lineStyle = 'heading'
      return this.sgr()
    }
    const bullet = /^( *)[-*+] +/.exec(head)
    if (bullet) {
      this.buffer = this.buffer.slice(bullet[0].length)
      return `${bullet[1]}• `
    }
    const ordered = /^( *)(\d{1,9})\. +/.exec(head)
    if (ordered) {
      this.buffer = this.buffer.slice(ordered[0].length)
      return `${ordered[1]}${ordered[2]}. `
    }
    const quote = /^ *> ?/.exec(head)
    if (quote) {
      this.buffer = this.buffer.slice(quote[0].length)
      this.lineStyle = 'quote'
      return `${this.sgr()}│ `
    }
    return ''
  }

  /** Within a line: plain text up to the next marker, or one marker. */
  private inlineStep(final: boolean): string | undefined {
    const buffer = this.buffer
    const first = buffer[0]!
    if (first === '\n') {
      this.buffer = buffer.slice(1)
      this.atLineStart = true
      return `${this.closeLine()}\n`
    }
    if (this.code) {
      const run = /^[^`\n]+/.exec(buffer)
      if (run) return this.take(run[0].length, run[0])
      this.code = false
      return this.take(1, this.sgr())
    }
    switch (first) {
      case '`':
        this.code = true
        return this.take(1, this.sgr())
      case '\\': {
        if (buffer.length < 2) return final ? this.take(1, '\\') : undefined
        const next = buffer[1]!
        return /[\\`*_[\]()#>+\-.!~]/.test(next) ? this.take(2, next) : this.take(1, '\\')
      }
      case '*': {
        if (buffer.length < 2 && !final) return undefined
        if (buffer[1] === '*') {
          this.bold = !this.bold
          return this.take(2, this.sgr())
        }
        // `a * b` is a plain star; `*word` opens italic, and a star closes it.
        if (this.italic || (buffer.length > 1 && !/\s/.test(buffer[1]!))) {
          this.italic = !this.italic
          return this.take(1, this.sgr())
        }
        return this.take(1, '*')
      }
      case '[':
        return this.link(final)
      default: {
        const run = /^[^\n`\\*[]+/.exec(buffer)!
        return this.take(run[0].length, run[0])
      }
    }
  }

  /** `[text](url)` as the text, underlined, then the URL, dimmed; held until it is known to be a link. */
  private link(final: boolean): string | undefined {
    const match = /^\[([^\]\n]*)\]\(([^)\s]*)\)/.exec(this.buffer)
    if (match) {
      const [whole, text, url] = match
      const after = this.sgr()
      return this.take(whole.length, `${this.paint('4', text!)}${after}${url ? ` ${this.paint('2', `(${url})`)}${after}` : ''}`)
    }
    const partial = /^\[[^\]\n]*(\](\([^)\s]*)?)?$/.exec(this.buffer)
    if (partial && !final && this.buffer.length < 2 * MAX_LINK) return undefined
    return this.take(1, '[')
  }

  private take(length: number, output: string): string {
    this.buffer = this.buffer.slice(length)
    return output
  }

  /** The SGR for the current styles, from a reset (so closing one style keeps the others). */
  private sgr(): string {
    if (!this.color) return ''
    const codes: string[] = []
    if (this.lineStyle === 'heading' || this.bold) codes.push('1')
    if (this.lineStyle === 'quote') codes.push('2')
    if (this.italic) codes.push('3')
    if (this.code) codes.push(CODE)
    const wasStyled = this.styled
    this.styled = codes.length > 0
    if (!codes.length) return wasStyled ? RESET : ''
    return `\x1b[0;${codes.join(';')}m`
  }

  /** Ends the line's styles: emphasis does not carry over a line break (a stray `**` spoils one line at most). */
  private closeLine(): string {
    this.lineStyle = ''
    this.bold = false
    this.italic = false
    this.code = false
    const out = this.styled && this.color ? RESET : ''
    this.styled = false
    return out
  }

  private paint(code: string, text: string): string {
    return this.color && text ? sgr(code, text) : text
  }
}
