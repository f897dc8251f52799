/** Ends every colour and style (SGR 0). */
export const RESET = '\x1b[0m'

/** `text` in the SGR style `code` (`'31'` red, `'1;33'` bold yellow…), reset after it: the one way the REPL colours text. */
export function sgr(code: string, text: string): string {
  return `\x1b[${code}m${text}${RESET}`
}

/** Text as it reads on screen: every ANSI control sequence (styles, cursor movement) taken out. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
}

/** Plain text for a non-terminal (a pipe, a file) or NO_COLOR: colours and styles (SGR) taken out. */
export function stripStyles(text: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI escape sequences start with ESC
  return text.replace(/\x1b\[[0-9;]*m/g, '')
}
