import { Parser, tokenizer, tokTypes as tt, type Options } from 'acorn'
import { isArithmetic } from '../common/repl/arithmetic'

/**
 * Where one REPL input ends, for inputs that arrive line by line (a script, a pipe, the terminal's
 * prompt): a line is an input of its own unless it leaves something open, as in Node's REPL.
 *
 * - `empty`: nothing but blanks and comments (not worth an evaluation);
 * - `incomplete`: an unclosed `(`, `[`, `{` or `${`, an unterminated template literal or block
 *   comment, or code cut short so that the parser fails at its very end (`1 +`, `if (x)`, `x =>`);
 * - `complete`: everything else, including code with a syntax error elsewhere, which the runtime
 *   reports (a line is never held back forever because it is wrong).
 *
 * Brackets are counted on acorn's tokens rather than on a parse, so TypeScript (which the runtime
 * accepts, and acorn cannot parse) is split correctly too: `function f(a: number) {` waits for its
 * `}`. A line of JavaScript is parsed once (a few µs); other lines are tokenized and parsed.
 */
export type InputState = 'empty' | 'incomplete' | 'complete'

const OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'module',
  allowAwaitOutsideFunction: true,
  allowReturnOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowHashBang: true
}

const OPENERS = new Set([tt.parenL, tt.bracketL, tt.braceL, tt.dollarBraceL])
const CLOSERS = new Set([tt.parenR, tt.bracketR, tt.braceR])

export function inputState(source: string): InputState {
  if (isArithmetic(source)) return 'complete'
  // Most lines are whole JavaScript: one parse says so (nothing left open, and empty when it holds no statement).
  try {
    return Parser.parse(source, OPTIONS).body.length === 0 ? 'empty' : 'complete'
  } catch {
    // TypeScript, code cut short, or a syntax error: the tokens tell.
  }
  let depth = 0
  let tokens = 0
  try {
    for (const token of tokenizer(source, OPTIONS)) {
      tokens++
      if (OPENERS.has(token.type)) depth++
      else if (CLOSERS.has(token.type)) depth--
    }
  } catch (error) {
    // Only these can be continued on the next line; an unterminated string or regex cannot.
    return /^Unterminated (template|comment)/.test((error as Error).message) ? 'incomplete' : 'complete'
  }
  if (tokens === 0) return 'empty'
  if (depth > 0) return 'incomplete'
  try {
    Parser.parse(source, OPTIONS)
  } catch (error) {
    const pos = (error as { pos?: number }).pos
    if (pos !== undefined && pos >= source.trimEnd().length) return 'incomplete'
  }
  return 'complete'
}

/** Joins lines into inputs: each line ends an input unless {@link inputState} says it is incomplete. */
export class InputSplitter {
  private lines: string[] = []

  /** True while lines are held for an incomplete input. */
  get continuing(): boolean {
    return this.lines.length > 0
  }

  /** Adds a line; returns the input it completes, if any. Blank and comment-only inputs are dropped. */
  push(line: string): string | undefined {
    this.lines.push(line)
    const source = this.lines.join('\n')
    const state = inputState(source)
    if (state === 'incomplete') return undefined
    this.lines = []
    return state === 'empty' ? undefined : source
  }

  /** The end of the input: what is still held goes as it is (the runtime reports its syntax error). */
  end(): string | undefined {
    const source = this.lines.join('\n')
    this.lines = []
    return inputState(source) === 'empty' ? undefined : source
  }

  /** Forgets the held lines (Ctrl+C on a continuation line). */
  reset(): void {
    this.lines = []
  }
}
