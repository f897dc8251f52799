import { sgr } from './ansi'
import { tokenize, type Token, type TokenKind } from './js-tokens'

/**
 * Colours of JS/TS input at the prompt, as ANSI SGR codes of the 16-colour palette (so they follow
 * the terminal's theme): close to VS Code's dark theme, which the pane imitates. Names and
 * punctuation keep the default colour.
 */
const COLOURS: Partial<Record<TokenKind, string>> = {
  keyword: '35',
  type: '36',
  string: '33',
  template: '33',
  number: '32',
  comment: '90',
  regex: '31'
}

/**
 * `source` with colours. Every coloured piece is closed before a line break and opened again after
 * it, so the text can be split into lines (the prompt block puts a continuation prompt in front of
 * each) without a colour leaking onto a prompt. The visible text is unchanged: `stripAnsi` of the
 * result is `source`.
 */
export function highlightJs(source: string): string {
  return highlightTokens(source, tokenize(source).tokens)
}

/** {@link highlightJs} for a source already tokenized. */
export function highlightTokens(source: string, tokens: readonly Token[]): string {
  let out = ''
  for (const token of tokens) {
    const text = source.slice(token.start, token.end)
    const colour = COLOURS[token.kind]
    if (!colour) out += text
    else if (!text.includes('\n')) out += sgr(colour, text)
    else
      out += text
        .split('\n')
        .map((part) => (part ? sgr(colour, part) : part))
        .join('\n')
  }
  return out
}
