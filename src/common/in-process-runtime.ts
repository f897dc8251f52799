import type { Logger } from './logger'
import type { Port } from './protocol/port'

/**
 * The runtime in its host's own process (out/main/runtime-inprocess.js, loaded by the terminal
 * client's pipe mode): no process of its own, no IPC; clients reach it over createPortPair.
 */
export interface InProcessRuntime {
  /** Serves the runtime contract on `port` until it closes. */
  connect(port: Port): void
  /** The orderly end (pitfall 10): tasks cancelled, their process groups killed, output sent, store closed. */
  shutdown(): Promise<void>
}

/** What runtime-inprocess.js exports. */
export interface InProcessRuntimeModule {
  startInProcessRuntime(log: Logger): InProcessRuntime
}
