import { isArithmetic } from './arithmetic'
import { tokenize, type Token } from './js-tokens'

/**
 * Where one REPL input ends: the one answer for the window's prompt, the terminal client's prompt
 * and its script / pipe splitter, so Enter behaves the same everywhere. Answered from the prompt's
 * tokenizer (one pass, no parse; src/common has no parser), so it never waits for the runtime.
 *
 * - `empty`: nothing but blanks and comments (not worth an evaluation);
 * - `incomplete`: something is open (a bracket, a template literal or its `${`, a block comment, a
 *   string continued with a backslash), or the code is cut short: it ends with an operator that
 *   wants a right-hand side (`1 +`, `x =`, `a.`, `x =>`, `,`), a keyword that wants more (`if`,
 *   `else`, `new`, `typeof`, `const`…), or the header of a statement that wants a body (`if (x)`,
 *   `for (;;)`, `while (x)`, `function f()`);
 * - `complete`: everything else, including code with a syntax error, which the runtime reports (a
 *   line is never held back forever because it is wrong: an unterminated string is complete).
 *
 * A trailing `>` is complete: it closes a TypeScript generic (`Array<number>`) far more often than
 * it is a comparison cut short. A trailing `!` after a name is TypeScript's non-null assertion.
 */
export type InputState = 'empty' | 'incomplete' | 'complete'

/** Keywords after which an input cannot end. */
const WANTS_MORE = new Set(
  (
    'if else for while do switch try catch finally with new typeof void delete in instanceof extends case throw await yield ' +
    'const let var function class import export'
  ).split(' ')
)
/** Keywords whose `( … )` header is followed by a body. */
const HEADERS = new Set(['if', 'for', 'while', 'with', 'catch'])
/** Operators (joined from the tokenizer's one-character punctuation) that end an input. */
const ENDS_INPUT = new Set(['++', '--', '>', '>>', '>>>'])

export function inputState(source: string): InputState {
  // `x * 2 + 1`: whole by construction (every operator has its operands), and told without tokens.
  if (isArithmetic(source)) return 'complete'
  const scanned = tokenize(source)
  const significant = scanned.tokens.filter((token) => token.kind !== 'space' && token.kind !== 'comment')
  if (scanned.open) return 'incomplete'
  if (significant.length === 0) return 'empty'
  const text = (token: Token): string => source.slice(token.start, token.end)
  const last = significant.at(-1)!
  if (last.kind === 'keyword') {
    const word = text(last)
    const asConst = word === 'const' && significant.length > 1 && text(significant.at(-2)!) === 'as' // TypeScript's `x as const`
    return WANTS_MORE.has(word) && !asConst ? 'incomplete' : 'complete'
  }
  if (last.kind !== 'punctuation') return 'complete'
  const closer = text(last)
  if (closer === ')') return afterHeader(significant, text) ? 'incomplete' : 'complete'
  if (BRACKETS.has(closer)) return 'complete'
  // The tokenizer yields punctuation one character at a time: join the adjacent ones into the operator.
  let first = significant.length - 1
  while (first > 0) {
    const previous = significant[first - 1]!
    if (previous.kind !== 'punctuation' || previous.end !== significant[first]!.start || BRACKETS.has(text(previous))) break
    first--
  }
  const operator = significant.slice(first).map(text).join('')
  if (operator === '!') {
    // After a name or a call: TypeScript's non-null assertion (`x!`, `f()!`); else a `!` that wants its operand.
    const before = significant[first - 1]
    return before && (before.kind === 'identifier' || before.kind === 'keyword' || [')', ']'].includes(text(before))) ? 'complete' : 'incomplete'
  }
  return ENDS_INPUT.has(operator) || operator.endsWith(';') ? 'complete' : 'incomplete'
}

const BRACKETS = new Set(['(', ')', '[', ']', '{', '}'])

/** Whether the final `)` closes the header of a statement that wants a body: `if (x)`, `function f(a)`. */
function afterHeader(tokens: Token[], text: (token: Token) => string): boolean {
  let depth = 0
  let i = tokens.length - 1
  for (; i >= 0; i--) {
    const t = text(tokens[i]!)
    if (t === ')') depth++
    else if (t === '(' && --depth === 0) break
  }
  if (i <= 0) return false
  const before = tokens[i - 1]!
  const word = text(before)
  // `for await (const x of xs)`
  if (word === 'await' && i >= 2 && text(tokens[i - 2]!) === 'for') return true
  if (before.kind === 'keyword' && HEADERS.has(word)) {
    // `do { … } while (x)` ends there.
    return !(word === 'while' && i >= 2 && text(tokens[i - 2]!) === '}')
  }
  if (before.kind === 'keyword' && word === 'function') return true
  return before.kind === 'identifier' && i >= 2 && text(tokens[i - 2]!) === 'function'
}
