import { inputState } from '../common/repl/input-state'

/**
 * Where inputs end in a script or a pipe: a line is an input of its own unless it leaves something
 * open ({@link inputState}, the same answer as Enter at the prompt), as in Node's REPL.
 */
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
