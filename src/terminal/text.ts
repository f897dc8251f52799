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

/** Whether to colour what goes to `stream`: a terminal, unless NO_COLOR is set (https://no-color.org). */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env['NO_COLOR']
}

/** Writes and resolves once the stream has taken the text (its callback): backpressure for a producer that waits. */
export function writeText(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (!text) return resolve()
    stream.write(text, () => resolve())
  })
}
