import { ProtocolError } from '../common/errors'
import { whenReady, type Maybe } from '../common/maybe'
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
 * Lines to run, taken one at a time. `take()` gives the next line, `null` once they have ended,
 * or `undefined` while the next has not arrived: then `onMore(resume)` asks for `resume` to be
 * called (once) when there is something to take. A read error is thrown by `take()`.
 */
export interface LineSource {
  take(): string | null | undefined
  onMore(resume: () => void): void
  /** Nothing more will be taken (the run stopped early): let go of what is being read. */
  close(): void
}

/** A script's lines, all at hand. */
export function linesFrom(lines: readonly string[]): LineSource {
  let next = 0
  return {
    take: () => (next < lines.length ? lines[next++]! : null),
    onMore: (resume) => resume(),
    close: () => void (next = lines.length)
  }
}

/**
 * The lines of a stream as they arrive (a pipe: one input can run before the next is written),
 * from its 'data' events. A reader waiting for lines is resumed within the 'data' event itself, so
 * that a synchronous input is answered before Node's bookkeeping of the read and without a promise
 * turn, as node -i's readline does (the async iterator and generator this replaced cost ~60 µs of a
 * 0.3 ms round trip, measured with the rest of the synchronous path, see runBatch).
 */
export function linesOf(stream: NodeJS.ReadableStream): LineSource {
  stream.setEncoding('utf8')
  const held: string[] = []
  let taken = 0
  /** The start of a line whose end has not arrived. */
  let partial = ''
  let ended = false
  let failure: { error: unknown } | undefined
  let waiting: (() => void) | undefined
  const wake = (): void => {
    const resume = waiting
    waiting = undefined
    resume?.()
  }
  const onData = (chunk: string): void => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop()!
    for (const line of lines) held.push(line.endsWith('\r') ? line.slice(0, -1) : line)
    if (held.length >= MAX_HELD_LINES) stream.pause()
    wake()
  }
  const onEnd = (): void => {
    ended = true
    wake()
  }
  const onError = (error: unknown): void => {
    failure = { error }
    wake()
  }
  const detach = (): void => {
    stream.off('data', onData)
    stream.off('end', onEnd)
    stream.off('error', onError)
  }
  stream.on('data', onData)
  stream.once('end', onEnd)
  stream.once('error', onError)
  return {
    take: () => {
      if (taken < held.length) {
        const line = held[taken++]!
        if (taken === held.length) {
          held.length = 0
          taken = 0
          if (stream.isPaused()) stream.resume()
        }
        return line
      }
      if (failure) {
        detach()
        throw failure.error
      }
      if (!ended) return undefined
      if (partial) {
        const line = partial
        partial = ''
        return line
      }
      detach()
      return null
    },
    onMore: (resume) => {
      waiting = resume
    },
    close: () => {
      waiting = undefined
      const unfinished = !ended && !failure
      detach()
      // Nothing reads it any more, as the stream's own iterator would have done.
      if (unfinished) (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.()
    }
  }
}

type InputOutcome = 'ok' | 'failed' | 'interrupted'

/**
 * The non-interactive REPL (`--script FILE`, or a pipe on stdin): each input runs in turn (see
 * {@link InputSplitter} for where inputs end), and prints its result on stdout, or its error on
 * stderr. Output the runtime sends goes to stdout or stderr by its stream: plain for js, labelled
 * for the other channels. Nothing else is printed (no banner, no prompt), so tests and benchmarks
 * can read it exactly. Stops at the first failed input with exit code 1, unless `keepGoing`.
 * Returns the exit code, or 'disconnected' when the runtime went away (Connection.onDidDie says why).
 *
 * Synchronous where the work is: a line at hand, an input the runtime answers within the call
 * (RpcClient.callNow: a synchronous input in the pipe mode) and a write the stream takes at once
 * are handled without a promise turn, and the next line is taken in the same loop. That made the
 * pipe mode's round trip of `1 + i` ~0.09 ms shorter (of ~0.32; measured with the prototype).
 */
export function runBatch(connection: Connection, lines: LineSource, options: BatchOptions): Promise<number | 'disconnected'> {
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

  /** Runs one input: 'ok', 'failed', or 'interrupted' (Ctrl+C broke it: the run ends, as on SIGINT). */
  const evaluate = (code: string): Maybe<InputOutcome> =>
    whenReady(client.callNow('repl.evaluate', { code, mode: 'js' }), (result) => {
      const outcome: InputOutcome = result.ok ? 'ok' : result.error.code === 'interrupted' ? 'interrupted' : 'failed'
      const written = result.ok
        ? writeNow(options.stdout, `${plain.stdout(result.text)}\n`)
        : writeNow(options.stderr, `${plain.stderr(formatError(result.error))}\n`)
      return whenReady(written, () => outcome)
    })

  return new Promise((resolve) => {
    const splitter = new InputSplitter()
    let failed = false
    let done = false
    const finish = (code: number | 'disconnected'): void => {
      if (done) return
      done = true
      lines.close()
      output.dispose()
      display.dispose()
      // What was written has left this process before the caller exits.
      void Promise.all([flushed(options.stdout), flushed(options.stderr)]).then(() => resolve(code))
    }
    const fail = (error: unknown): void => {
      if (error instanceof ProtocolError && error.code === 'connection-closed') return finish('disconnected')
      void writeText(options.stderr, `cortex: ${(error as Error).message}\n`).then(() => finish(1))
    }
    /** After an input: whether to go on (else the run is finished). */
    const goOn = (outcome: InputOutcome, last: boolean): boolean => {
      if (outcome === 'interrupted') {
        finish(SIGINT_EXIT_CODE)
        return false
      }
      if (outcome === 'failed') {
        failed = true
        if (!options.keepGoing) {
          finish(1)
          return false
        }
      }
      if (!last) return true
      finish(failed ? 1 : 0)
      return false
    }
    /** Runs inputs while there are lines at hand and answers come at once; returns when it must wait. */
    const pump = (): void => {
      try {
        for (;;) {
          const line = lines.take()
          if (line === undefined) return lines.onMore(pump)
          const input = line === null ? splitter.end() : splitter.push(line)
          if (input === undefined) {
            if (line === null) return finish(failed ? 1 : 0)
            continue
          }
          const outcome = evaluate(input)
          if (outcome instanceof Promise) {
            outcome.then((settled) => goOn(settled, line === null) && pump(), fail)
            return
          }
          if (!goOn(outcome, line === null)) return
        }
      } catch (error) {
        fail(error)
      }
    }
    pump()
  })
}

/** Writes `text`; done at once when the stream took it without asking to wait (a pipe or a file has written it), else once that write is done (or failed). */
function writeNow(stream: NodeJS.WritableStream, text: string): Maybe<void> {
  if (!text) return
  let called = false
  let done: (() => void) | undefined
  const onWritten = (): void => {
    called = true
    done?.()
  }
  if (stream.write(text, onWritten)) return
  return called ? undefined : new Promise((resolve) => (done = resolve))
}

/** Resolves once what was written to `stream` before has been handed on (a write's callbacks run in order). */
function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => void stream.write('', () => resolve()))
}
