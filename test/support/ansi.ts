import type { EvalResult } from '../../src/common/runtime-contract'

/** Text without ANSI colour codes: what the user reads. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
  return text.replace(/\x1b\[[0-9;]*m/g, '')
}

/** An evaluation result as plain text: the rendered value, or `error: <message>`. */
export function resultText(result: EvalResult): string {
  return result.ok ? stripAnsi(result.text) : `error: ${result.error.message}`
}
