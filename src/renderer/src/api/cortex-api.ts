import type { Event } from '../../../common/event'
import type { EvalResult, OutputChunk, RuntimeInfo } from '../../../common/runtime-contract'
import type { RuntimeStatus } from '../../../common/supervision/runtime-supervisor'

export interface ConnectionState {
  state: 'connecting' | 'connected' | 'disconnected'
  /** Why we are not connected, for the status bar. */
  detail?: string
}

/**
 * Everything the renderer may ask of the outside world. Two implementations exist (Electron and
 * the browser mode, see ./index.ts); no other renderer code knows which one it runs with.
 */
export interface CortexApi {
  evaluate(code: string, options?: { signal?: AbortSignal }): Promise<EvalResult>
  runtimeInfo(): Promise<RuntimeInfo>
  restartRuntime(): Promise<void>
  readonly onOutput: Event<OutputChunk>
  readonly onResult: Event<EvalResult>
  readonly onConnectionChange: Event<ConnectionState>
  readonly onRuntimeStatus: Event<RuntimeStatus>
  readonly connection: ConnectionState
  /** The latest runtime status, if one has arrived yet. */
  readonly runtimeStatus: RuntimeStatus | undefined
  dispose(): void
}
