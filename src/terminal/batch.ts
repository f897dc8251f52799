import { ProtocolError } from '../common/errors'
import { formatBatch, formatError, type OutputFormat } from '../common/repl/format'
import type { OutputBatch } from '../common/repl-contract'
import type { Connection } from './connection'
import { InputSplitter } from './inputs'
import { stripStyles, writeText } from './text'

export interface BatchOptions {
  /** Go on after an input fails (the exit code is still 1). */
  keepGoing: boolean
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Colour each stream (a terminal) or write plain text (a pipe, a file, NO_COLOR). */
  colour: { stdout: boolean; stderr: boolean }
}

/** The exit code of a run Ctrl+C ended (128 + SIGINT), as the shell reports it. */
const SIGINT_EXIT_CODE = 130

/** How output is shown; the runtime says (%view, %channel) and every client follows. */
const format: OutputFormat = { view: 'user' }

/** Lines held before the stream is paused (plus those of the chunk that passed the bound): a script piped in faster than it runs waits in the pipe, not here. */
const MAX_HELD_LINES = 1000

/**
 * The lines of a stream as they arrive (a pipe: one input can run before the next is written).
 * Taken from 'data' events: the stream's own async iterator (a 'readable' wait and read() per
 * chunk) cost more per piped input than evaluating `1 + i`.
 */
export async function* linesOf(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  stream.setEncoding('utf8')
  const held: string[] = []
  let pending = ''
  let ended = false
  let failure: { error: unknown } | undefined
  let wake: (() => void) | undefined
  const notify = (): void => {
    const resume = wake
    wake = undefined
    resume?.()
  }
  const onData = (chunk: string): void => {
    const lines = (pending + chunk).split('\n')
    pending = lines.pop()!
    for (const line of lines) held.push(line.endsWith('\r') ? line.slice(0, -1) : line)
    if (held.length >= MAX_HELD_LINES) stream.pause()
    notify()
  }
  const onEnd = (): void => {
    ended = true
    notify()
  }
  const onError = (error: unknown): void => {
    failure = { error }
    notify()
  }
  stream.on('data', onData)
  stream.once('end', onEnd)
  stream.once('error', onError)
  try {
    let next = 0
    for (;;) {
      if (next < held.length) {
        const line = held[next++]!
        if (next === held.length) {
          held.length = 0
          next = 0
          if (stream.isPaused()) stream.resume()
        }
        yield line
        continue
      }
      if (failure) throw failure.error
      if (ended) break
      await new Promise<void>((resolve) => (wake = resolve))
    }
    if (pending) yield pending
  } finally {
    stream.off('data', onData)
    stream.off('end', onEnd)
    stream.off('error', onError)
    // Left before the end (the run stopped at an error): nothing reads it any more, as the stream's own iterator would.
    if (!ended && !failure) (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.()
  }
}

/**
 * The non-interactive REPL (`--script FILE`, or a pipe on stdin): each input runs in turn (see
 * {@link InputSplitter} for where inputs end), and prints its result on stdout, or its error on
 * stderr. Output the runtime sends goes to stdout or stderr by its stream: plain for js, labelled
 * for the other channels. Nothing else is printed (no banner, no prompt), so tests and benchmarks
 * can read it exactly. Stops at the first failed input with exit code 1, unless `keepGoing`.
 * Returns the exit code, or 'disconnected' when the runtime went away (Connection.onDidDie says why).
 */
export async function runBatch(
  connection: Connection,
  lines: Iterable<string> | AsyncIterable<string>,
  options: BatchOptions
): Promise<number | 'disconnected'> {
  const { client } = connection
  const plain = {
    stdout: (text: string) => (options.colour.stdout ? text : stripStyles(text)),
    stderr: (text: string) => (options.colour.stderr ? text : stripStyles(text))
  }

  const display = client.subscribe('repl.display', (settings) => Object.assign(format, { view: settings.view, hidden: new Set(settings.hidden) }))
  const output = client.subscribe('repl.output', (batch) => {
    const part = (stream: 'stdout' | 'stderr'): OutputBatch => ({
      seq: batch.seq,
      writes: batch.writes.filter((write) => write.stream === stream),
      ...(stream === 'stderr' && batch.dropped ? { dropped: batch.dropped } : {})
    })
    // Acknowledge once both streams have taken the text: the runtime sends more only then.
    void Promise.all([
      writeText(options.stdout, plain.stdout(formatBatch(part('stdout'), format))),
      writeText(options.stderr, plain.stderr(formatBatch(part('stderr'), format)))
    ]).then(() => (client.isClosed ? undefined : client.call('repl.ack', { seq: batch.seq }).catch(() => undefined)))
  })

  /** Runs one input: 'ok', 'failed', or 'interrupted' (Ctrl+C broke it: the run ends, as on SIGINT). A broken connection ends the run at once. */
  const evaluate = async (code: string): Promise<'ok' | 'failed' | 'interrupted'> => {
    const result = await client.call('repl.evaluate', { code, mode: 'js' })
    if (result.ok) await writeText(options.stdout, `${plain.stdout(result.text)}\n`)
    else await writeText(options.stderr, `${plain.stderr(formatError(result.error))}\n`)
    return result.ok ? 'ok' : result.error.code === 'interrupted' ? 'interrupted' : 'failed'
  }

  const splitter = new InputSplitter()
  let failed = false
  try {
    for await (const line of lines) {
      const input = splitter.push(line)
      if (input === undefined) continue
      const outcome = await evaluate(input)
      if (outcome === 'interrupted') return SIGINT_EXIT_CODE
      if (outcome === 'failed') {
        failed = true
        if (!options.keepGoing) return 1
      }
    }
    const rest = splitter.end()
    const outcome = rest === undefined ? 'ok' : await evaluate(rest)
    if (outcome === 'interrupted') return SIGINT_EXIT_CODE
    return failed || outcome === 'failed' ? 1 : 0
  } catch (error) {
    if (error instanceof ProtocolError && error.code === 'connection-closed') return 'disconnected'
    await writeText(options.stderr, `cortex: ${(error as Error).message}\n`)
    return 1
  } finally {
    output.dispose()
    display.dispose()
  }
}
