import { BasePort } from '../base-port'
import type { Port } from '../port'

/**
 * The DOM shape of a message port: the renderer's `MessagePort` (from Electron's preload) and
 * Node's `worker_threads` `MessagePort` both fit it.
 */
export interface DomMessagePortLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void
  addEventListener(type: 'close', listener: () => void): void
  start(): void
  close(): void
}

class DomMessagePortAdapter extends BasePort {
  constructor(private readonly port: DomMessagePortLike) {
    super()
    port.addEventListener('message', (event) => this.deliver(event.data))
    port.addEventListener('close', () => this.markClosed())
    port.start()
  }
  protected transmit(message: unknown): void {
    this.port.postMessage(message)
  }
  protected closeTransport(): void {
    this.port.close()
  }
}

export function fromDomMessagePort(port: DomMessagePortLike): Port {
  return new DomMessagePortAdapter(port)
}

/**
 * The Node-EventEmitter shape Electron uses for `MessagePortMain` and for a utility process's
 * `process.parentPort`: listeners get a `{ data, ports }` event. `parentPort` has no start/close.
 */
export interface ElectronPortLike {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
  on(event: 'close', listener: () => void): unknown
  start?(): void
  close?(): void
}

class ElectronPortAdapter extends BasePort {
  constructor(private readonly port: ElectronPortLike) {
    super()
    port.on('message', (event) => this.deliver(event.data))
    port.on('close', () => this.markClosed())
    // MessagePortMain queues messages until start() is called.
    port.start?.()
  }
  protected transmit(message: unknown): void {
    this.port.postMessage(message)
  }
  protected closeTransport(): void {
    this.port.close?.()
  }
}

export function fromElectronPort(port: ElectronPortLike): Port {
  return new ElectronPortAdapter(port)
}
