import type { OpenPathRequest } from './open-path'
import type { RuntimeStatus } from './supervision/runtime-supervisor'

/**
 * What Electron's preload exposes to the renderer as `window.cortex`: one function per operation,
 * nothing generic. The runtime itself is reached over a MessagePort that main brokers; it arrives
 * as a window message of type {@link RUNTIME_PORT_MESSAGE}.
 */
export interface CortexBridge {
  /** Ask main for a (new) port to the runtime. */
  requestRuntimePort(): void
  /** Kill the runtime and start a fresh one. */
  restartRuntime(): Promise<void>
  /** SIGINT to the runtime: breaks a synchronous loop in an evaluation, keeping the namespace. */
  interruptRuntime(): Promise<void>
  /** Opens an existing regular file with the system's handler; rejects saying why not. */
  openPath(request: OpenPathRequest): Promise<void>
  onRuntimeStatus(listener: (status: RuntimeStatus) => void): () => void
}

export const RUNTIME_PORT_MESSAGE = 'cortex:runtime-port'

/** Electron IPC channel names; each one is handled by exactly one validated handler in main. */
export const IpcChannel = {
  requestRuntimePort: 'cortex:request-runtime-port',
  restartRuntime: 'cortex:restart-runtime',
  interruptRuntime: 'cortex:interrupt-runtime',
  openPath: 'cortex:open-path',
  runtimeStatus: 'cortex:runtime-status',
  runtimePort: 'cortex:runtime-port'
} as const
