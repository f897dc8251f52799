import type { SerializedError } from '../../../common/errors'
import type { EvalResult } from '../../../common/runtime-contract'

/** ANSI styles for the REPL pane. */
export const style = {
  prompt: (text: string) => `\x1b[32m${text}\x1b[0m`,
  error: (text: string) => `\x1b[31m${text}\x1b[0m`,
  dim: (text: string) => `\x1b[2m${text}\x1b[0m`,
  notice: (text: string) => `\x1b[33m${text}\x1b[0m`
}

export const PROMPT = style.prompt('› ')
/** The prompt while an evaluation runs: what is typed then runs after it. */
export const BUSY_PROMPT = style.dim('› ')

/** An error as the user reads it: `Uncaught Name: message`, then the user-code frames, dimmed. */
export function formatError(error: SerializedError): string {
  const headline = style.error(`Uncaught ${error.name}: ${error.message}`)
  const stack = error.stack ?? ''
  const firstFrame = stack.search(/^\s+at /m)
  // A SyntaxError's stack starts with the offending source line and a caret: show it.
  const excerpt = firstFrame < 0 ? stack : stack.slice(0, firstFrame)
  const context = error.name === 'SyntaxError' ? excerpt.split('\n').slice(0, 3).join('\n').trimEnd() : ''
  const frames = firstFrame < 0 ? '' : stack.slice(firstFrame).trimEnd()
  return [context && style.dim(context), headline, frames && style.dim(frames)].filter(Boolean).join('\n')
}

export function formatResult(result: EvalResult): string {
  return result.ok ? result.text : formatError(result.error)
}
