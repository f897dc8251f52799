/**
 * A small, forgiving JavaScript/TypeScript tokenizer for the prompt: one pass over the input, no
 * backtracking, so highlighting a 10 kB input on every keystroke stays cheap. It never throws:
 * broken code yields tokens all the same. Two users: the highlighter (`highlight.ts`) and the
 * "is this input complete?" question (`input-state.ts`), answered locally so Enter never waits
 * for the runtime.
 */
export type TokenKind = 'keyword' | 'type' | 'identifier' | 'string' | 'template' | 'number' | 'comment' | 'regex' | 'punctuation' | 'space'

export interface Token {
  readonly kind: TokenKind
  readonly start: number
  readonly end: number
}

export interface Tokens {
  readonly tokens: Token[]
  /**
   * What the input leaves open at its end: a bracket, a template literal (or its `${`), a block
   * comment, or a string continued with a backslash. Enter continues such an input on a new line.
   */
  readonly open: boolean
  /**
   * A template literal (or its `${`), a block comment or a continued string is open at the end: how
   * the next line is coloured depends on this text (an open bracket alone does not matter for that).
   */
  readonly literalOpen: boolean
  /** Iterations of the scanner's loop: at most one per token (tests check the cost is linear). */
  readonly steps: number
}

const KEYWORDS = new Set(
  (
    'async await break case catch class const continue debugger default delete do else export extends false finally for from function ' +
    'if import in instanceof let new null of return static super switch this throw true try typeof undefined var void while with yield'
  ).split(' ')
)
/** TypeScript's own words: types and declarations the runtime strips. */
const TYPE_KEYWORDS = new Set(
  (
    'abstract any as asserts bigint boolean declare enum implements infer interface is keyof namespace never number object override ' +
    'private protected public readonly satisfies string symbol type unique unknown'
  ).split(' ')
)
/** After these words an expression starts, so a `/` begins a regular expression. */
const BEFORE_EXPRESSION = new Set('return typeof instanceof in of new delete void throw case do else yield await'.split(' '))

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r'
const isDigit = (c: string) => c >= '0' && c <= '9'
const isIdentifierStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || c > '\x7f'
const isIdentifierPart = (c: string) => isIdentifierStart(c) || isDigit(c)

type Bracket = '(' | '[' | '{' | '${'
const CLOSING: Record<string, Bracket> = { ')': '(', ']': '[', '}': '{' }

export function tokenize(source: string): Tokens {
  const tokens: Token[] = []
  const brackets: Bracket[] = []
  const n = source.length
  let i = 0
  let steps = 0
  let open = false
  /** The last token that is not space or a comment, for telling a regex from a division. */
  let previous: Token | undefined

  const push = (kind: TokenKind, start: number, end: number): void => {
    const token = { kind, start, end }
    tokens.push(token)
    if (kind !== 'space' && kind !== 'comment') previous = token
  }
  /** Scans template text from `from` to its closing backtick or a `${`; returns where it stopped. */
  const template = (start: number, from: number): number => {
    let j = from
    while (j < n) {
      const c = source[j]!
      if (c === '\\') j += 2
      else if (c === '`') {
        push('template', start, j + 1)
        return j + 1
      } else if (c === '$' && source[j + 1] === '{') {
        brackets.push('${')
        push('template', start, j + 2)
        return j + 2
      } else j++
    }
    push('template', start, n)
    open = true
    return n
  }
  const regexAllowed = (): boolean => {
    if (!previous) return true
    const text = source.slice(previous.start, previous.end)
    if (previous.kind === 'punctuation') return text !== ')' && text !== ']' && text !== '}'
    return previous.kind === 'keyword' && BEFORE_EXPRESSION.has(text)
  }

  while (i < n) {
    steps++
    const start = i
    const c = source[i]!
    const next = source[i + 1]
    if (start === 0 && c === '#' && next === '!') {
      // A hashbang (a script's first line) is a comment to the end of the line, as for Node.
      const end = source.indexOf('\n')
      i = end < 0 ? n : end
      push('comment', start, i)
    } else if (isSpace(c)) {
      while (i < n && isSpace(source[i]!)) i++
      push('space', start, i)
    } else if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i)
      i = end < 0 ? n : end
      push('comment', start, i)
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      if (end < 0) open = true
      i = end < 0 ? n : end + 2
      push('comment', start, i)
    } else if (c === '/' && regexAllowed()) {
      // Approximate: up to the next unescaped `/` outside a character class, or the end of the line.
      let inClass = false
      i++
      while (i < n && source[i] !== '\n') {
        const ch = source[i]!
        if (ch === '\\') i++
        else if (ch === '[') inClass = true
        else if (ch === ']') inClass = false
        else if (ch === '/' && !inClass) {
          i++
          break
        }
        i++
      }
      while (i < n && isIdentifierPart(source[i]!)) i++ // flags
      push('regex', start, Math.min(i, n))
      i = Math.min(i, n)
    } else if (c === '"' || c === "'") {
      i++
      while (i < n) {
        const ch = source[i]!
        if (ch === '\\') {
          // A backslash at the very end continues the string on the next line.
          if (i + 1 >= n) open = true
          i += 2
        } else if (ch === c) {
          i++
          break
        } else if (ch === '\n')
          break // unterminated: a syntax error the runtime reports
        else i++
      }
      push('string', start, Math.min(i, n))
      i = Math.min(i, n)
    } else if (c === '`') {
      i = template(start, i + 1)
    } else if (c === '}' && brackets.at(-1) === '${') {
      brackets.pop()
      i = template(start, i + 1)
    } else if (isDigit(c) || (c === '.' && next !== undefined && isDigit(next))) {
      i++
      while (i < n && (isIdentifierPart(source[i]!) || source[i] === '.')) i++
      push('number', start, i)
    } else if (isIdentifierStart(c)) {
      i++
      while (i < n && isIdentifierPart(source[i]!)) i++
      const word = source.slice(start, i)
      // `x.type`, `x.default`: a property is a name, whatever its spelling.
      const afterDot = previous !== undefined && source.slice(previous.start, previous.end) === '.'
      push(afterDot ? 'identifier' : KEYWORDS.has(word) ? 'keyword' : TYPE_KEYWORDS.has(word) ? 'type' : 'identifier', start, i)
    } else {
      if (c === '(' || c === '[' || c === '{') brackets.push(c)
      else if (CLOSING[c] !== undefined && brackets.at(-1) === CLOSING[c]) brackets.pop()
      i++
      push('punctuation', start, i)
    }
  }
  return { tokens, open: open || brackets.length > 0, literalOpen: open || brackets.includes('${'), steps }
}
