/**
 * The terminal client (`npx cortex`): the REPL of the window in a terminal, over the runtime
 * contract (RpcClient). Interactive, against a runtime process of its own (the same
 * out/main/runtime.js, forked with launchRuntimeChild, one mux channel): Ctrl+C, a crash or
 * `process.exit()` in an input leave the prompt standing. Non-interactive (a pipe, --script), the
 * runtime runs in this process (out/main/runtime-inprocess.js), as `node -i` does: one process
 * and two pipe writes per input; --runtime-process keeps it apart there too.
 *
 *   cortex                        interactive when stdin and stdout are terminals
 *   cortex --script FILE          runs FILE's inputs, printing each result; stops at the first error
 *   cortex --script FILE --keep-going
 *   … | cortex                    the same for inputs piped on stdin, run as they arrive
 *
 * Exit codes: 0; 1 when an input failed (also with --keep-going) or the runtime died; 2 for bad
 * arguments; 128 + n for signal n (Ctrl+C: 130). Set CORTEX_DEBUG=1 to see the runtime's own log
 * lines on stderr.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { serializeError, setUnexpectedErrorHandler } from '../common/errors'
import { linesFrom, linesOf, runBatch } from './batch'
import { connect, connectInProcess, type Connection } from './connection'
import { HistoryFile } from './history'
import { InteractiveRepl } from './interactive'
import { wantsColour, writeText } from './text'

const here = dirname(fileURLToPath(import.meta.url))
/** The runtime is built next to this file (out/main/runtime.js). */
const RUNTIME_PATH = join(here, 'runtime.js')
/** The runtime for this process (pipe mode), built next to it too. */
const IN_PROCESS_RUNTIME_PATH = join(here, 'runtime-inprocess.js')

export const USAGE = `usage: cortex [--script FILE [--keep-going]] [--runtime-process]
  (no arguments)      the REPL in this terminal; or, when stdin is a pipe, run the piped inputs
  --script FILE       run FILE: one input per line, lines joined while an input is incomplete
                      (an open bracket, template or comment, or a line ending in an operator);
                      each result is printed, errors go to stderr; stops at the first error (exit 1)
  --keep-going        with --script or a pipe: run every input even after errors (exit 1 if any failed)
  --runtime-process   with --script or a pipe: evaluate in a runtime process of its own, as the
                      interactive REPL does (slower; an input that crashes it or calls
                      process.exit() is reported instead of ending cortex)
`

/** The runtime of this run, so every way out (a signal, a reader that went away) lets it go first. */
let active: Connection | undefined

/** Exits once the runtime is gone: a runtime whose host vanished without a word is left to notice on its own. */
function exitClosing(code: number): void {
  const timer = setTimeout(() => process.exit(code), 5000) // past the launcher's grace period (SIGKILL at 3 s)
  void (active?.close() ?? Promise.resolve()).finally(() => {
    clearTimeout(timer)
    process.exit(code)
  })
}

function fail(message: string): number {
  process.stderr.write(`cortex: ${message}\n`)
  return 2
}

/** Runs the terminal client with `argv` (the arguments after the command); resolves with the exit code. */
export async function runTerminal(argv: string[]): Promise<number> {
  let values: { script?: string; 'keep-going'?: boolean; 'runtime-process'?: boolean; help?: boolean }
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        script: { type: 'string' },
        'keep-going': { type: 'boolean' },
        'runtime-process': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true,
      allowPositionals: false
    }))
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`)
  }
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }

  let script: string | undefined
  if (values.script !== undefined) {
    try {
      script = readFileSync(values.script, 'utf8')
    } catch (error) {
      return fail(`cannot read ${values.script}: ${(error as Error).message}`)
    }
  }
  const interactive = script === undefined && process.stdin.isTTY === true && process.stdout.isTTY === true
  const debug = Boolean(process.env['CORTEX_DEBUG'])

  const options = debug ? { debugLine: (line: string) => void process.stderr.write(`${line}\n`) } : {}
  let connection: Connection
  try {
    connection = interactive || values['runtime-process'] ? connect(RUNTIME_PATH, options) : await connectInProcess(IN_PROCESS_RUNTIME_PATH, options)
  } catch (error) {
    return fail((error as Error).message)
  }
  active = connection
  setUnexpectedErrorHandler((error) => debug && process.stderr.write(`[cortex terminal] unexpected error ${JSON.stringify(serializeError(error))}\n`))

  if (interactive) {
    const repl = new InteractiveRepl(
      connection,
      { stdin: process.stdin, stdout: process.stdout, colour: wantsColour(process.stdout) },
      new HistoryFile(HistoryFile.defaultPath())
    )
    return repl.run()
  }

  // Non-interactive: a signal (Ctrl+C in the terminal that runs the script) ends the run, and the runtime with it.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129]
  ] as const)
    process.once(signal, () => exitClosing(code))
  // The runtime dying ends the run at once, with the reason and its last log lines.
  let died: (reason: string) => void
  const death = new Promise<string>((resolve) => (died = resolve))
  connection.onDidDie((reason) => died(reason))
  const lines = script !== undefined ? linesFrom(script.split(/\r?\n/)) : linesOf(process.stdin)
  const batch = runBatch(connection, lines, {
    keepGoing: values['keep-going'] === true,
    stdout: process.stdout,
    stderr: process.stderr,
    colour: { stdout: wantsColour(process.stdout), stderr: wantsColour(process.stderr) }
  })
  const outcome = await Promise.race([batch, death])
  if (typeof outcome === 'number') {
    await connection.close()
    return outcome
  }
  // The runtime went away: wait briefly for the reason when the broken call was noticed first.
  const reason =
    outcome === 'disconnected' ? await Promise.race([death, new Promise<string>((r) => setTimeout(() => r('the runtime went away'), 1000))]) : outcome
  const log = connection.recentLog()
  await writeText(process.stderr, `cortex: ${reason}${log.length ? `\n${log.join('\n')}` : ''}\n`)
  await connection.close()
  return 1
}

/** Runs the terminal client and exits the process with its code, once stdout and stderr have taken everything. */
export async function main(argv: string[]): Promise<never> {
  // A reader that went away (`cortex --script f | head -1`) is not an error of ours.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => exitClosing(0))
  let code: number
  try {
    code = await runTerminal(argv)
  } catch (error) {
    process.stderr.write(`cortex: ${(error as Error).stack ?? String(error)}\n`)
    code = 1
  }
  await Promise.all([new Promise((r) => process.stdout.write('', r)), new Promise((r) => process.stderr.write('', r))])
  process.exit(code)
}

// Run when started as a program (node out/main/terminal.js), not when imported (bin/cortex.mjs).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main(process.argv.slice(2))
