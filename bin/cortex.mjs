#!/usr/bin/env node
// The `cortex` command (and `npm start` / `npm run web`):
//   cortex start   the desktop app; where Electron cannot be had, the browser mode instead
//   cortex web     the browser mode: prints a http://127.0.0.1 URL with a session token
//   cortex build   build only
// Options for start/web: --no-build, and for web: --port <n>, --host <loopback address>.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { build as buildApp, projectRoot as root } from '../scripts/build.mjs'
import { findElectronBinary, installElectronBinary } from '../scripts/electron-binary.mjs'

const [command = 'start', ...rest] = process.argv.slice(2)
const noBuild = rest.includes('--no-build')
const forwarded = rest.filter((arg) => arg !== '--no-build')

function build() {
  const started = Date.now()
  if (!buildApp()) process.exit(1)
  process.stdout.write(`Built Cortex in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`)
}

/** Runs a child with our stdio until it exits, passing Ctrl+C and SIGTERM on. */
function run(executable, args, env = process.env) {
  const child = spawn(executable, args, { cwd: root, stdio: 'inherit', env })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

const web = () => run(process.execPath, [join(root, 'out/main/webhost.js'), ...forwarded])

switch (command) {
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
      run(binary, [root])
    } else {
      process.stdout.write(`Electron is not available on this machine (its binary could not be downloaded: ${reason}); starting the browser mode instead.\n`)
      web()
    }
    break
  }
  default:
    process.stderr.write(`cortex: unknown command '${command}'. Use: cortex start | cortex web [--port N] | cortex build\n`)
    process.exit(2)
}
