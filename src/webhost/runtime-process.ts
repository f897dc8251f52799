import { fork, type ChildProcess } from 'node:child_process'
import { Emitter } from '../common/event'
import type { Logger } from '../common/logger'
import type { Port } from '../common/protocol/port'
import { fromProcessChannel } from '../common/protocol/transports/process-channel'
import type { ProcessExit, SupervisedProcess } from '../common/supervision/runtime-supervisor'

export interface RuntimeChild extends SupervisedProcess {
  /** The IPC channel to the child, carrying multiplexed client connections. */
  readonly port: Port
  readonly process: ChildProcess
  /**
   * SIGINT (breaks a synchronous loop in an evaluation, keeping the namespace), once the runtime
   * has sent its first message. Before that it is still loading and runs no input, and a signal
   * arriving before its first line has run would kill it (Node's default), so there is nothing to send.
   */
  interrupt(): void
}

function forwardLines(stream: NodeJS.ReadableStream | null, write: (line: string) => void): void {
  let pending = ''
  stream?.setEncoding('utf8')
  stream?.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) write(line)
  })
  stream?.on('end', () => pending && write(pending))
}

/** How long a runtime may take to shut down in order (SIGTERM) before it is killed (SIGKILL). */
export const GRACE_MS = 3000

/**
 * SIGTERM (the runtime shuts down in order), then SIGKILL if it is still there after GRACE_MS (a
 * runtime stuck in a loop cannot run its SIGTERM handler). Resolves when it has exited. The timer
 * keeps this process alive until then: a host that exits must not leave a spinning runtime behind.
 */
export function stopRuntime(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }, GRACE_MS)
  void exited.then(() => clearTimeout(timer))
  return exited
}

/**
 * Starts the runtime (out/main/runtime.js) as a Node child process: the utilityProcess stand-in.
 * The runtime's own log lines (its stderr) go to `stderrLine`, by default our stderr.
 */
export function launchRuntimeChild(
  runtimePath: string,
  log: Logger,
  stderrLine: (line: string) => void = (line) => void process.stderr.write(`${line}\n`)
): RuntimeChild {
  const child = fork(runtimePath, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  // The runtime logs to stderr; stdout should stay empty, but nothing it prints is dropped.
  forwardLines(child.stderr, stderrLine)
  forwardLines(child.stdout, (line) => log.warn(`runtime wrote to stdout: ${line}`))
  const exits = new Emitter<ProcessExit>()
  child.once('exit', (code, signal) => {
    exits.fire({ code, signal })
    exits.dispose()
  })
  child.once('error', (error) => log.error('runtime process error', { message: error.message }))
  let running = false
  child.once('message', () => (running = true))
  return {
    pid: child.pid,
    port: fromProcessChannel(child),
    process: child,
    onExit: exits.event,
    kill: (force) => void (force ? child.kill('SIGKILL') : stopRuntime(child)),
    interrupt: () => void (running && child.exitCode === null && child.signalCode === null && child.kill('SIGINT'))
  }
}
