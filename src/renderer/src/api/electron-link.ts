import { AssistantSettingsView } from '../../../common/assistant-settings'
import { RUNTIME_PORT_MESSAGE, type CortexBridge } from '../../../common/bridge'
import type { AssistantSettingsApi } from './cortex-api'
import { Emitter } from '../../../common/event'
import type { OpenPathRequest } from '../../../common/open-path'
import { DisposableStore, toDisposable } from '../../../common/lifecycle'
import type { Logger } from '../../../common/logger'
import type { Port } from '../../../common/protocol/port'
import { fromDomMessagePort } from '../../../common/protocol/transports/message-port'
import { RuntimeStatus } from '../../../common/supervision/runtime-supervisor'
import type { RuntimeLink } from './runtime-session'

/**
 * Electron: main brokers a MessagePort straight to the runtime (at our request, and again after
 * every runtime restart); the preload hands it over as a window message.
 */
export class ElectronLink implements RuntimeLink {
  private readonly store = new DisposableStore()
  private readonly ports = this.store.add(new Emitter<Port>())
  private readonly statuses = this.store.add(new Emitter<RuntimeStatus>())

  readonly onDidConnect = this.ports.event
  readonly onRuntimeStatus = this.statuses.event
  // Main's answers are checked like every message from outside.
  readonly settings: AssistantSettingsApi = {
    get: async () => AssistantSettingsView.parse(await this.bridge.assistantSettings()),
    setApiKey: async (key) => AssistantSettingsView.parse(await this.bridge.setApiKey(key)),
    setModel: async (model) => AssistantSettingsView.parse(await this.bridge.setModel(model))
  }

  constructor(
    private readonly bridge: CortexBridge,
    private readonly log: Logger
  ) {}

  start(): void {
    const onMessage = (event: MessageEvent): void => {
      // Only the preload (same window) may hand us a port.
      if (event.source !== window || event.data !== RUNTIME_PORT_MESSAGE) return
      const port = event.ports[0]
      if (port) this.ports.fire(fromDomMessagePort(port))
    }
    window.addEventListener('message', onMessage)
    this.store.add(toDisposable(() => window.removeEventListener('message', onMessage)))
    this.store.add(
      toDisposable(
        this.bridge.onRuntimeStatus((raw) => {
          const status = RuntimeStatus.safeParse(raw)
          if (status.success) this.statuses.fire(status.data)
          else this.log.warn('ignored a malformed runtime status from main', status.error.issues)
        })
      )
    )
    this.bridge.requestRuntimePort()
  }

  restartRuntime(): Promise<void> {
    return this.bridge.restartRuntime()
  }

  interruptRuntime(): Promise<void> {
    return this.bridge.interruptRuntime()
  }

  openPath(request: OpenPathRequest): Promise<void> {
    return this.bridge.openPath(request)
  }

  dispose(): void {
    this.store.dispose()
  }
}
