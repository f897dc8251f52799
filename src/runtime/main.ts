/**
 * The runtime process's entry point, for both ways it is started:
 * - as an Electron utilityProcess: main sends `{ kind: 'attach' }` messages over
 *   `process.parentPort`, each carrying a MessagePort to one window;
 * - as a Node child process (browser mode, tests): the IPC channel carries multiplexed
 *   connections, one per browser tab.
 * This is the only runtime file that touches Electron (`process.parentPort`).
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { z } from 'zod'
import { ConfigureMessage } from '../common/assistant-settings'
import { createLineLogger } from '../common/logger'
import { PortMux } from '../common/protocol/mux'
import { describeValue } from '../common/protocol/rpc'
import { fromElectronPort, type ElectronPortLike } from '../common/protocol/transports/message-port'
import { fromProcessChannel } from '../common/protocol/transports/process-channel'
import { AttachPortMessage, type BlockingRunMessage } from '../common/runtime-contract'
import { hostRuntime } from './host'
import { killWhenOrphaned } from './orphan-watchdog'
import { redactText } from '../common/trace/redact'
import { redaction, secretValues } from './tracing/sdk'

interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: ElectronPortLike[] }) => void): unknown
  postMessage(message: unknown): void
}

// The runtime's own diagnostics go to stderr; stdout stays clean (user output travels as events).
// A host that died leaves a broken pipe: writing to it must fail quietly, never throw (an error
// handler that logs to a broken stderr would otherwise throw again, forever).
process.stderr.on('error', () => {})
process.stdout.on('error', () => {})
// No secret in the log: each line is scrubbed as the runtime scrubs what it stores (env secrets until it exists).
let redactSecrets = (text: string): string => redactText(text, redaction(secretValues(process.env)))
const log = createLineLogger(`runtime ${process.pid}`, (line) => {
  if (process.stderr.writable) process.stderr.write(`${redactSecrets(line)}\n`)
})

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort
// loader.js is built next to this file (out/main/), registered on Node's loader thread.
/** Tells the host an input's synchronous code starts (its heartbeat then waits for it: see HeartbeatMonitor). */
let tellHostBlockingRun = (_running: boolean): void => {}
const runtime = hostRuntime(parentPort ? 'electron-utility' : 'node-child', log, join(dirname(fileURLToPath(import.meta.url)), 'loader.js'), {
  onBlockingRun: (running) => tellHostBlockingRun(running)
})

redactSecrets = (text) => runtime.redactSecrets(text)

let shuttingDown = false
/** Ends the process in order (tasks cancelled, their process groups killed, output sent, store closed). */
async function shutdown(why: string): Promise<void> {
  if (shuttingDown) return
  shuttingDown = true
  log.info(`shutting down: ${why}`)
  await runtime.shutdown()
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))

// SIGINT from the host breaks a synchronous loop inside an evaluation (vm breakOnSigint handles it
// there); arriving at any other time it cancels the running evaluations, and never kills the runtime.
process.on('SIGINT', () => {
  const cancelled = runtime.tasks.list().filter((t) => t.kind === 'eval' && t.state === 'running' && runtime.tasks.cancel(t.id, 'interrupted')).length
  log.info(`SIGINT: ${cancelled} evaluation(s) cancelled`)
})

/** The assistant's settings from the host (never from a client). It carries the API key: never logged, not even when malformed. */
function configure(data: unknown): void {
  const parsed = ConfigureMessage.safeParse(data)
  if (!parsed.success)
    return log.warn(`rejected a malformed configure message from the host (${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')})`)
  const { apiKey, model } = parsed.data
  log.info(
    `assistant settings from the host: ${apiKey ? 'an API key' : apiKey === null ? 'no API key (ANTHROPIC_API_KEY applies)' : 'the key unchanged'}, model ${model ?? 'unchanged'}`
  )
  runtime.configureAssistant({ ...(apiKey !== undefined && { apiKey }), ...(model !== undefined && { model }) })
}

if (parentPort) {
  const host = parentPort
  tellHostBlockingRun = (running) => host.postMessage({ kind: 'blocking-run', running } satisfies z.input<typeof BlockingRunMessage>)
  parentPort.on('message', (event) => {
    const kind = (event.data as { kind?: unknown } | null)?.kind
    // Main's heartbeat, answered by this event loop.
    if (kind === 'ping') return parentPort.postMessage({ kind: 'pong', id: (event.data as { id?: unknown }).id })
    if (kind === 'configure' && event.ports.length === 0) return configure(event.data)
    const [port, ...extra] = event.ports
    if (!AttachPortMessage.safeParse(event.data).success || !port || extra.length > 0) {
      const message = 'expected { kind: "attach" } with exactly one MessagePort'
      log.warn(`rejected message from main: ${message}`, { received: describeValue(event.data) })
      parentPort.postMessage({ kind: 'error', error: { name: 'ProtocolError', code: 'invalid-message', message } })
      return
    }
    runtime.connect(fromElectronPort(port))
  })
} else if (process.send) {
  const mux = new PortMux(fromProcessChannel(process), log)
  tellHostBlockingRun = (running) => mux.sendControl({ kind: 'blocking-run', running } satisfies z.input<typeof BlockingRunMessage>)
  mux.onDidOpenChannel((port) => runtime.connect(port))
  mux.onDidReceiveControl(configure)
  // The host is gone: nobody can reach this namespace any more.
  process.on('disconnect', () => void shutdown('the host disconnected'))
  // …and if this event loop is stuck and cannot hear it, a thread of its own ends the process.
  killWhenOrphaned()
} else {
  log.error('start the runtime from Cortex (Electron or `cortex web`), not directly')
  process.exit(2)
}
