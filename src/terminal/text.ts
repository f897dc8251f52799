export { stripAnsi, stripStyles } from '../common/repl/ansi'

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
