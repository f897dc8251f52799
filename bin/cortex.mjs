#!/usr/bin/env node
// The `cortex` command (and `npm start` / `npm run web`):
//   cortex         the REPL in this terminal (builds first if the sources changed); see USAGE
//   cortex start   the desktop app; where Electron cannot be had, the browser mode instead
//   cortex web     the browser mode: prints a http://127.0.0.1 URL with a session token
//   cortex FILE.ts the desktop app with that graph file loaded (start and web take files too)
//   cortex build   build only
// Options for all but build: --no-build; for web: --port <n>, --host <loopback address>.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { appLaunch } from '../scripts/app-args.mjs'
import { build as buildApp, isBuildCurrent, projectRoot as root } from '../scripts/build.mjs'
import { findElectronBinary, installElectronBinary } from '../scripts/electron-binary.mjs'

const USAGE = `usage:
  cortex [--script FILE [--keep-going]]   the REPL in this terminal; with --script or piped input, runs
                                          the inputs and prints each result (stops at the first error);
                                          --runtime-process: evaluate them in a runtime process of its own
  cortex start [FILE.ts …]                the desktop app (the browser mode where Electron is missing), with
                                          these graph files loaded (default: the OOTD example; --no-example: none)
  cortex FILE.ts                          the same as cortex start FILE.ts
  cortex web [FILE.ts …] [--port N] [--host ADDR]
                                          the browser mode: prints a http://127.0.0.1 URL with a token
  cortex build                            build only
  --no-build                              (any but build) run what is in out/ as it is
`

// No subcommand (nothing, or options only): the terminal REPL; a graph file first: the app with it loaded.
const launch = appLaunch(process.argv.slice(2), { cwd: process.cwd(), env: process.env, example: join(root, 'examples/ootd/index.ts') })
if (launch.error) {
  process.stderr.write(`cortex: ${launch.error}\n`)
  process.exit(2)
}
const { command } = launch
const noBuild = launch.args.includes('--no-build')
const forwarded = launch.args.filter((arg) => arg !== '--no-build')

/** Builds; the note goes to `stream` (for the REPL: stderr on a terminal, else none: its output must stay exact). */
function build(stream = process.stdout) {
  const started = Date.now()
  if (!buildApp()) process.exit(1)
  stream?.write(`Built Cortex in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`)
}

/** Runs a child with our stdio until it exits, passing Ctrl+C and SIGTERM on. */
function run(executable, args, env = process.env) {
  const child = spawn(executable, args, { cwd: root, stdio: 'inherit', env })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

// The app starts with the graph files given, or the example graph (its recorded answers make it runnable offline).
const appEnv = { ...process.env, CORTEX_LOAD: launch.load }
const web = () => run(process.execPath, [join(root, 'out/main/webhost.js'), ...forwarded], appEnv)

switch (command) {
  case 'repl': {
    if (forwarded.includes('--help') || forwarded.includes('-h')) {
      process.stdout.write(USAGE)
      break
    }
    // Only when the sources changed since the last build, and quietly: piped output must stay exact.
    if (!noBuild && !isBuildCurrent(['out/main/terminal.js', 'out/main/runtime.js', 'out/main/runtime-inprocess.js'])) {
      if (process.stderr.isTTY) process.stderr.write('Building Cortex…\n')
      build(process.stderr.isTTY ? process.stderr : null)
    }
    // In this process (not a child): the terminal client owns stdin, raw mode and the exit code.
    const { main } = await import(pathToFileURL(join(root, 'out/main/terminal.js')).href)
    await main(forwarded)
    break
  }
  case 'build':
    build()
    break
  case 'web':
    if (!noBuild) build()
    web()
    break
  case 'start': {
    if (!noBuild) build()
    let binary = findElectronBinary()
    let reason
    if (!binary) ({ binary, reason } = installElectronBinary())
    if (binary) {
      run(binary, [root], appEnv)
    } else {
      process.stdout.write(`Electron is not available on this machine (its binary could not be downloaded: ${reason}); starting the browser mode instead.\n`)
      web()
    }
    break
  }
  default:
    process.stderr.write(`cortex: unknown command '${command}'.\n${USAGE}`)
    process.exit(2)
}
