import { MessageChannelMain, utilityProcess, type UtilityProcess, type WebContents } from 'electron'
import type { ConfigureMessage } from '../common/assistant-settings'
import { IpcChannel } from '../common/bridge'
import { Emitter } from '../common/event'
import { DisposableStore, type Disposable } from '../common/lifecycle'
import type { Logger } from '../common/logger'
import { BlockingRunMessage, type AttachPortMessage } from '../common/runtime-contract'
import { HeartbeatMonitor, type HeartbeatOptions } from '../common/supervision/heartbeat'
import { RuntimeSupervisor, type ProcessExit, type RuntimeStatus, type SupervisedProcess } from '../common/supervision/runtime-supervisor'
import type { z } from 'zod'

export interface RuntimeHostOptions {
  /** The built runtime entry (out/main/runtime.js). */
  runtimePath: string
  log: Logger
  /** Asked when the runtime keeps crashing; true to restart it anyway. */
  confirmRestart(status: RuntimeStatus): Promise<boolean>
  /** Heartbeat timing (default: ping every second, restart after 5 s of silence). */
  heartbeat?: Pick<HeartbeatOptions, 'intervalMs' | 'timeoutMs' | 'interruptGraceMs'>
  /** Sends a signal to the runtime process (default process.kill; tests give a fake). */
  signalProcess?: (pid: number, signal: NodeJS.Signals) => void
  /** The assistant's settings (API key, model), sent to each runtime as it starts and on {@link RuntimeHost.configure}. */
  configuration?: () => ConfigureMessage
}

/** Forwards a child's stdout/stderr lines to our log, so nothing it prints is lost. */
function forwardOutput(child: UtilityProcess, log: Logger): void {
  child.stdout?.on('data', (chunk: Buffer) => log.warn(`runtime wrote to stdout: ${chunk.toString().trimEnd()}`))
  // The runtime's stderr is its log: its lines already say who and how severe.
  child.stderr?.on('data', (chunk: Buffer) => log.info(`runtime stderr: ${chunk.toString().trimEnd()}`))
}

/**
 * Hosts the runtime in an Electron utilityProcess, restarts it when it crashes (see
 * {@link RuntimeSupervisor}), and gives every attached window a direct MessagePort to it, again
 * after each restart. Main never relays runtime traffic itself.
 */
export class RuntimeHost implements Disposable {
  private readonly supervisor: RuntimeSupervisor
  private readonly windows = new Set<WebContents>()
  private readonly store = new DisposableStore()
  private child: UtilityProcess | undefined
  /** The current runtime has sent a message (it has loaded: a SIGINT now breaks a loop instead of killing it). */
  private childAnswered = false

  constructor(private readonly options: RuntimeHostOptions) {
    this.supervisor = this.store.add(
      new RuntimeSupervisor({
        launch: () => this.launch(),
        confirmRestart: (_exit, status) => options.confirmRestart(status),
        log: options.log
      })
    )
    this.store.add(this.supervisor.onDidLaunch(() => this.windows.forEach((w) => this.sendPort(w))))
    this.store.add(this.supervisor.onDidLaunch(() => this.configure()))
    this.store.add(this.supervisor.onDidChangeStatus((status) => this.windows.forEach((w) => sendStatus(w, status))))
  }

  get status(): RuntimeStatus {
    return this.supervisor.status
  }

  start(): void {
    this.supervisor.start()
  }

  restart(): void {
    this.supervisor.restart()
  }

  /** SIGINT to the runtime: breaks a synchronous loop in an evaluation, keeping the namespace. */
  interrupt(): void {
    const pid = this.child?.pid
    // Only once it has answered: a runtime still loading runs no input, and an early SIGINT could kill it.
    if (pid && this.childAnswered) this.signal(pid, 'SIGINT')
  }

  private signal(pid: number, signal: NodeJS.Signals): void {
    try {
      ;(this.options.signalProcess ?? process.kill)(pid, signal)
    } catch {
      // already gone
    }
  }

  /** Tells the runtime the assistant's settings (again: they changed). Over parentPort only: no window sees them. */
  configure(): void {
    const configuration = this.options.configuration
    if (configuration && this.child) this.child.postMessage(configuration())
  }

  /** The window gets a port now and after every restart, and status changes, until it is destroyed. */
  attachWindow(contents: WebContents): void {
    if (this.windows.has(contents)) return
    this.windows.add(contents)
    contents.once('destroyed', () => this.windows.delete(contents))
    sendStatus(contents, this.supervisor.status)
    this.sendPort(contents)
  }

  /** A fresh port for one window (after a reload, say). */
  sendPort(contents: WebContents): void {
    const child = this.child
    if (!child || contents.isDestroyed()) return
    const { port1, port2 } = new MessageChannelMain()
    child.postMessage({ kind: 'attach' } satisfies z.input<typeof AttachPortMessage>, [port1])
    contents.postMessage(IpcChannel.runtimePort, null, [port2])
  }

  dispose(): void {
    this.windows.clear()
    this.store.dispose()
  }

  private watch(child: UtilityProcess): HeartbeatMonitor {
    const heartbeat = new HeartbeatMonitor({
      ping: pinger(child),
      // Silent: SIGINT first (breaks a loop in an evaluation, keeps the namespace), then a restart.
      interrupt: () => this.interrupt(),
      onUnresponsive: (ms) => this.supervisor.recoverUnresponsive(ms),
      ...this.options.heartbeat
    })
    child.on('message', (data: unknown) => {
      const message = BlockingRunMessage.safeParse(data)
      if (message.success) heartbeat.blockingRun(message.data.running)
    })
    return heartbeat
  }

  private launch(): SupervisedProcess {
    const child = utilityProcess.fork(this.options.runtimePath, [], { serviceName: 'Cortex Runtime', stdio: 'pipe' })
    this.child = child
    this.childAnswered = false
    child.once('message', () => this.child === child && (this.childAnswered = true))
    forwardOutput(child, this.options.log)
    const exits = new Emitter<ProcessExit>()
    const spawns = new Emitter<void>()
    child.once('spawn', () => spawns.fire())
    // A fatal V8 error (out of memory, say). Without a listener, Node would throw it in main; the
    // 'exit' that follows triggers the restart.
    child.on('error', (type, location) => this.options.log.error(`runtime process error: ${type}`, { location }))
    const heartbeat = this.watch(child)
    child.once('exit', (code) => {
      if (this.child === child) this.child = undefined
      heartbeat.dispose()
      exits.fire({ code, signal: null })
      exits.dispose()
      spawns.dispose()
    })
    return {
      // Electron knows the pid only once the process has spawned.
      get pid() {
        return child.pid
      },
      onExit: exits.event,
      onSpawn: spawns.event,
      // SIGTERM lets the runtime shut down in order; a runtime stuck in a loop gets SIGKILL after 3 s.
      kill: (force) => {
        const pid = child.pid
        if (force && pid) return this.signal(pid, 'SIGKILL')
        let exited = false
        child.once('exit', () => (exited = true))
        child.kill()
        if (pid) setTimeout(() => exited || this.signal(pid, 'SIGKILL'), 3000)
      }
    }
  }
}

/** Pings go over parentPort and are answered by the runtime's event loop (src/runtime/main.ts). */
function pinger(child: UtilityProcess): (signal: AbortSignal) => Promise<void> {
  let next = 0
  const waiting = new Map<number, () => void>()
  child.on('message', (message: { kind?: unknown; id?: unknown } | null) => {
    if (message?.kind === 'pong' && typeof message.id === 'number') {
      waiting.get(message.id)?.()
      waiting.delete(message.id)
    }
  })
  return (signal) =>
    new Promise((resolve, reject) => {
      const id = next++
      waiting.set(id, resolve)
      signal.addEventListener('abort', () => (waiting.delete(id), reject(signal.reason)), { once: true })
      child.postMessage({ kind: 'ping', id })
    })
}

function sendStatus(contents: WebContents, status: RuntimeStatus): void {
  if (!contents.isDestroyed()) contents.send(IpcChannel.runtimeStatus, status)
}
