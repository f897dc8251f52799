import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { Emitter, type Event } from '../common/event'
import { toDisposable } from '../common/lifecycle'
import type { InProcessRuntimeModule } from '../common/in-process-runtime'
import { createLineLogger, type Logger } from '../common/logger'
import { createPortPair } from '../common/protocol/memory-port'
import { PortMux } from '../common/protocol/mux'
import { RpcClient } from '../common/protocol/rpc'
import { runtimeContract, type RuntimeContract } from '../common/runtime-contract'
import type { ProcessExit } from '../common/supervision/runtime-supervisor'
import { launchRuntimeChild } from '../webhost/runtime-process'

/** How many of the runtime's own log lines are kept, to show when it dies. */
const RECENT_LOG_LINES = 30
/** A runtime that has not exited this long after being asked to may be stuck in a synchronous loop. */
const STUCK_AFTER_MS = 300

/**
 * The terminal client's runtime (one namespace per terminal session) and an RPC client for the
 * runtime contract: a child process of its own over one mux channel ({@link connect}), or the
 * runtime in this very process ({@link connectInProcess}).
 */
export interface Connection {
  readonly client: RpcClient<RuntimeContract>
  /** The runtime went away without being asked to: why, in words. Fires at most once. */
  readonly onDidDie: Event<string>
  /** The runtime's latest log lines (its stderr), for the message when it dies. */
  recentLog(): string[]
  /** SIGINT: breaks a synchronous loop in the running evaluation (vm breakOnSigint), keeping the namespace. */
  interrupt(): void
  /** Lets the runtime go (it shuts down in order), and makes sure it does. Resolves once it is gone. */
  close(): Promise<void>
}

export interface ConnectOptions {
  /** Also pass the runtime's log lines here as they come (CORTEX_DEBUG). */
  debugLine?: (line: string) => void
}

export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `it was killed by ${exit.signal}` : `it exited with code ${exit.code}`
}

/** The runtime's diagnostics (and ours) stay off the screen: what the user needs arrives as output events. */
function recentLines(options: ConnectOptions): { keep: (line: string) => void; recent: () => string[] } {
  const lines: string[] = []
  return {
    keep: (line) => {
      lines.push(line)
      if (lines.length > RECENT_LOG_LINES) lines.shift()
      options.debugLine?.(line)
    },
    recent: () => [...lines]
  }
}

function assertBuilt(path: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: build Cortex first (npx cortex build)`)
}

export function connect(runtimePath: string, options: ConnectOptions = {}): Connection {
  assertBuilt(runtimePath)
  const { keep, recent } = recentLines(options)
  const log = createLineLogger('cortex terminal', keep)
  const child = launchRuntimeChild(runtimePath, log, keep)
  const mux = new PortMux(child.port, log)
  const client = new RpcClient(mux.open(), runtimeContract, log)
  const deaths = new Emitter<string>()
  let closing = false
  let dead = false
  let exit: ProcessExit | undefined
  const die = (reason: string): void => {
    if (closing || dead) return
    dead = true
    deaths.fire(reason)
  }
  const exited = new Promise<void>((resolve) =>
    child.onExit((what) => {
      exit = what
      die(
        `the runtime process ended unexpectedly (${describeExit(what)}); its namespace is gone; its inputs are in the session store (start cortex again and run store() to see them)`
      )
      resolve()
    })
  )
  // The IPC channel can break before the exit is known; give the exit a moment so the message can say how it ended.
  client.onClose(() => void setTimeout(() => exit || die('the connection to the runtime process broke'), 500).unref())
  return {
    client,
    onDidDie: deaths.event,
    recentLog: recent,
    interrupt: () => {
      if (!exit) child.interrupt()
    },
    close: async () => {
      closing = true
      client.dispose()
      mux.dispose()
      child.port.close() // disconnected, the runtime shuts down in order (tasks cancelled, output sent, store closed)
      if (exit) return
      // The launcher's stop: SIGTERM (the same orderly shutdown), SIGKILL after its grace period. A
      // runtime in a synchronous loop sees neither until SIGINT breaks the loop (the namespace no longer matters).
      child.kill()
      const stuck = setTimeout(() => child.process.kill('SIGINT'), STUCK_AFTER_MS)
      await exited
      clearTimeout(stuck)
    }
  }
}

/**
 * The runtime in this process (out/main/runtime-inprocess.js), over an in-memory port pair: the
 * pipe mode's round trip without a second process. It cannot die apart from this process, and
 * SIGINT reaches it without help: vm breakOnSigint breaks a synchronous loop in an input.
 */
export async function connectInProcess(entryPath: string, options: ConnectOptions = {}): Promise<Connection> {
  assertBuilt(entryPath)
  const { keep, recent } = recentLines(options)
  const log: Logger = createLineLogger(`runtime ${process.pid} (in-process)`, keep)
  const { startInProcessRuntime } = (await import(pathToFileURL(entryPath).href)) as InProcessRuntimeModule
  const runtime = startInProcessRuntime(log)
  const [clientPort, runtimePort] = createPortPair({ trusted: true }) // both ends are ours: no boundary to check (Port.trusted)
  runtime.connect(runtimePort)
  const client = new RpcClient(clientPort, runtimeContract, log)
  let closed: Promise<void> | undefined
  return {
    client,
    onDidDie: () => toDisposable(() => {}),
    recentLog: recent,
    interrupt: () => void process.kill(process.pid, 'SIGINT'),
    close: () =>
      (closed ??= (async () => {
        client.dispose()
        await runtime.shutdown()
      })())
  }
}
