import { Emitter } from '../../../common/event'
import { hostContract } from '../../../common/host-contract'
import { DisposableStore, toDisposable } from '../../../common/lifecycle'
import type { OpenPathRequest } from '../../../common/open-path'
import type { Logger } from '../../../common/logger'
import type { Port } from '../../../common/protocol/port'
import { RpcClient } from '../../../common/protocol/rpc'
import { fromWebSocket } from '../../../common/protocol/transports/websocket'
import type { RuntimeStatus } from '../../../common/supervision/runtime-supervisor'
import type { AssistantSettingsApi } from './cortex-api'
import type { RuntimeLink } from './runtime-session'

const RETRY_MIN_MS = 250
const RETRY_MAX_MS = 4000
/** A connection must have lasted this long before the retry delay starts small again. */
const STABLE_MS = 5000

/** Opens a WebSocket and resolves once it is open (or rejects if it fails first). */
function openSocket(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // The token travels as a subprotocol: never in a cookie (see src/webhost/access.ts).
    const socket = new WebSocket(url, ['cortex.v1', `cortex.token.${token}`])
    socket.addEventListener('open', () => resolve(socket), { once: true })
    socket.addEventListener('error', () => reject(new Error(`could not connect to ${url}`)), { once: true })
  })
}

/**
 * The browser mode: a WebSocket to the host's `/runtime` endpoint (the host bridges it to the
 * runtime process) and one to `/host` for the runtime's status, both authenticated with the
 * session token. Lost connections are retried with exponential backoff.
 */
export class WebLink implements RuntimeLink {
  private readonly store = new DisposableStore()
  private readonly ports = this.store.add(new Emitter<Port>())
  private readonly statuses = this.store.add(new Emitter<RuntimeStatus>())
  private hostClient: RpcClient<typeof hostContract> | undefined
  private disposed = false

  readonly onDidConnect = this.ports.event
  readonly onRuntimeStatus = this.statuses.event
  readonly settings: AssistantSettingsApi = {
    get: () => this.host().call('host.assistantSettings', {}),
    setApiKey: (apiKey) => this.host().call('host.setApiKey', { apiKey }),
    setModel: (model) => this.host().call('host.setModel', { model })
  }

  constructor(
    private readonly origin: string,
    private readonly token: string,
    private readonly log: Logger
  ) {}

  start(): void {
    void this.keepConnected('/runtime', (port) => this.ports.fire(port))
    void this.keepConnected('/host', (port) => this.adoptHost(port))
  }

  async restartRuntime(): Promise<void> {
    await this.host().call('host.restartRuntime', {})
  }

  async interruptRuntime(): Promise<void> {
    await this.host().call('host.interruptRuntime', {})
  }

  async openPath(request: OpenPathRequest): Promise<void> {
    await this.host().call('host.openPath', request)
  }

  /** The host connection, for every host call: a clear error while there is none. */
  private host(): RpcClient<typeof hostContract> {
    if (!this.hostClient) throw new Error('not connected to the Cortex host')
    return this.hostClient
  }

  dispose(): void {
    this.disposed = true
    this.hostClient?.dispose()
    this.store.dispose()
  }

  private async keepConnected(path: string, adopt: (port: Port) => void): Promise<void> {
    const url = `${this.origin.replace(/^http/, 'ws')}${path}`
    let delay = RETRY_MIN_MS
    while (!this.disposed) {
      try {
        const port = fromWebSocket(await openSocket(url, this.token))
        if (this.disposed) return port.close()
        const closeOnDispose = this.store.add(toDisposable(() => port.close()))
        port.onClose(() => this.store.delete(closeOnDispose))
        const openedAt = Date.now()
        adopt(port)
        await new Promise<void>((resolve) => port.onClose(resolve))
        if (Date.now() - openedAt > STABLE_MS) delay = RETRY_MIN_MS
      } catch (error) {
        this.log.warn(`${path}: ${(error as Error).message}; retrying in ${delay} ms`)
      }
      await new Promise((resolve) => setTimeout(resolve, delay))
      delay = Math.min(delay * 2, RETRY_MAX_MS)
    }
  }

  private adoptHost(port: Port): void {
    this.hostClient?.dispose()
    const client = new RpcClient(port, hostContract, this.log)
    this.hostClient = client
    client.subscribe('host.runtimeStatus', (status) => this.statuses.fire(status))
    client.call('host.runtimeStatus', {}).then(
      (status) => this.statuses.fire(status),
      (error: unknown) => this.log.warn('could not read the runtime status', String(error))
    )
  }
}
