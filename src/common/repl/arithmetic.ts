/**
 * Inputs that are a bare arithmetic expression: names and integers joined by `+ - * / %`, such as
 * `x * 2 + 1` or `1 + 41`. Such an input is one complete expression statement (no brackets, no
 * declaration, no await, no call), so the terminal client (inputState) and the runtime (transformInput) can skip tokenizing and parsing it
 * (acorn costs 20–40 µs per parse here, more than running the input). Anything else, including a
 * reserved word among the names, takes the parser's path.
 */
const ARITHMETIC = /^\s*([A-Za-z_$][\w$]*|0|[1-9]\d*)(?:\s*[-+*/%]\s*([A-Za-z_$][\w$]*|0|[1-9]\d*))*\s*$/

/** Words that are not plain names (a keyword, a literal, or contextual such as `await`, `let`, `yield`, `of`). */
const NOT_NAMES = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'implements import in instanceof interface let new null of package private protected public return static super switch this ' +
    'throw true try typeof var void while with yield async get set'
  ).split(' ')
)

export function isArithmetic(source: string): boolean {
  if (!ARITHMETIC.test(source)) return false
  for (const word of source.match(/[A-Za-z_$][\w$]*/g) ?? []) if (NOT_NAMES.has(word)) return false
  return true
}
