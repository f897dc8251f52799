import { z } from 'zod'
import { Emitter, type Event } from '../event'
import { type Disposable } from '../lifecycle'
import type { Logger } from '../logger'
import { RestartPolicy } from './restart-policy'

/** What a window shows about its runtime process. */
export const RuntimeStatus = z.object({
  state: z.enum(['starting', 'running', 'restarting', 'crashed', 'stopped']),
  pid: z.number().int().optional(),
  /** Automatic restarts within the policy's window. */
  restarts: z.number().int().nonnegative(),
  /** One sentence for the user, set whenever something went wrong. */
  message: z.string().optional()
})
export type RuntimeStatus = z.infer<typeof RuntimeStatus>

export interface ProcessExit {
  code: number | null
  signal: string | null
}

/** A launched runtime process, whatever launched it (Electron utilityProcess or child_process). */
export interface SupervisedProcess {
  /** May be undefined until the process has spawned (Electron's utilityProcess). */
  readonly pid: number | undefined
  readonly onExit: Event<ProcessExit>
  /** Fires when the process is running and `pid` is known, if that happens after launch. */
  readonly onSpawn?: Event<void>
  /** Stops it: politely (SIGTERM, then SIGKILL after a grace period), or at once with `force`. */
  kill(force?: boolean): void
}

export interface RuntimeSupervisorOptions {
  launch(): SupervisedProcess
  /**
   * Asked after too many crashes; true restarts (and resets the count), false leaves it stopped.
   * Without it the status stays `crashed` and the windows ask (their Restart button calls {@link RuntimeSupervisor.restart}).
   */
  confirmRestart?(exit: ProcessExit, status: RuntimeStatus): Promise<boolean>
  log: Logger
  policy?: RestartPolicy
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`
}

/**
 * Keeps one runtime process alive: restarts it after a crash as the {@link RestartPolicy} allows,
 * then asks. Used by Electron main (utilityProcess) and by the browser-mode host (child_process).
 */
export class RuntimeSupervisor implements Disposable {
  private current: SupervisedProcess | undefined
  private currentStatus: RuntimeStatus = { state: 'stopped', restarts: 0 }
  private readonly statusEmitter = new Emitter<RuntimeStatus>()
  private readonly launchEmitter = new Emitter<SupervisedProcess>()
  private readonly policy: RestartPolicy
  private disposed = false

  readonly onDidChangeStatus = this.statusEmitter.event
  /** Fires for every (re)launch, so owners can connect their ports to the new process. */
  readonly onDidLaunch = this.launchEmitter.event

  constructor(private readonly options: RuntimeSupervisorOptions) {
    this.policy = options.policy ?? new RestartPolicy()
  }

  get status(): RuntimeStatus {
    return this.currentStatus
  }

  get process(): SupervisedProcess | undefined {
    return this.current
  }

  start(message?: string): void {
    if (this.disposed || this.current) return
    this.setStatus({ state: 'starting', message })
    const child = this.options.launch()
    this.current = child
    const spawned = child.onSpawn?.(() => {
      if (this.current === child) this.setStatus({ pid: child.pid })
    })
    const subscription = child.onExit((exit) => {
      subscription.dispose()
      spawned?.dispose()
      if (this.current !== child) return // an exit we asked for (restart/stop)
      this.current = undefined
      void this.handleCrash(exit)
    })
    this.setStatus({ state: 'running', pid: child.pid, message })
    this.launchEmitter.fire(child)
  }

  /** A restart the user asked for: not counted as a crash. */
  restart(): void {
    this.stopCurrent()
    this.policy.reset()
    this.start('The runtime was restarted on request; its namespace is new.')
  }

  /**
   * The runtime's heartbeat went silent (stuck in synchronous code SIGINT cannot reach): kill it
   * and treat it as a crash, so the restart policy and the user's say apply.
   */
  recoverUnresponsive(silentForMs: number): void {
    if (!this.current) return
    // It cannot run a SIGTERM handler while stuck: kill it at once.
    this.stopCurrent(true)
    const seconds = (silentForMs / 1000).toFixed(silentForMs < 10_000 ? 1 : 0)
    void this.handleCrash(
      { code: null, signal: 'SIGKILL' },
      `The runtime stopped answering for ${seconds} s (a synchronous loop outside an evaluation?) and was stopped`
    )
  }

  stop(): void {
    this.stopCurrent()
    this.setStatus({ state: 'stopped', message: undefined })
  }

  dispose(): void {
    this.stop()
    this.disposed = true
    this.statusEmitter.dispose()
    this.launchEmitter.dispose()
  }

  private stopCurrent(force = false): void {
    const child = this.current
    this.current = undefined
    child?.kill(force)
  }

  private async handleCrash(exit: ProcessExit, reason?: string): Promise<void> {
    if (this.disposed) return
    const what = `${reason ?? `The runtime exited unexpectedly (${describeExit(exit)})`}; its namespace and running tasks were lost.`
    this.options.log.error(what)
    if (this.policy.allowRestart()) {
      const n = this.policy.recentRestarts
      this.setStatus({ state: 'restarting', pid: undefined, message: what })
      this.start(`${what} Restarted it (${n} of ${this.policy.maxRestarts} automatic restarts allowed in ${this.policy.windowMs / 60_000} minutes).`)
      return
    }
    this.setStatus({
      state: 'crashed',
      pid: undefined,
      message: `${what} It crashed ${this.policy.maxRestarts + 1} times within ${this.policy.windowMs / 60_000} minutes, so it was not restarted automatically.`
    })
    if (!this.options.confirmRestart) return
    const again = await this.options.confirmRestart(exit, this.currentStatus).catch(() => false)
    if (this.disposed || this.current) return
    if (again) {
      this.policy.reset()
      this.start('The runtime was restarted after repeated crashes; its namespace is new.')
    } else {
      this.setStatus({ state: 'stopped', message: 'The runtime is stopped. Use “Restart runtime” to start a new one.' })
    }
  }

  private setStatus(change: Partial<RuntimeStatus>): void {
    this.currentStatus = { ...this.currentStatus, ...change, restarts: this.policy.recentRestarts }
    this.statusEmitter.fire(this.currentStatus)
  }
}
