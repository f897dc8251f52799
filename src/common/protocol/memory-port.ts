import { BasePort } from './base-port'
import type { DirectCalls, Port } from './port'

class MemoryPort extends BasePort {
  peer: MemoryPort | undefined
  private calls: DirectCalls | undefined

  constructor(readonly trusted: boolean) {
    super()
  }

  get peerCalls(): DirectCalls | undefined {
    const peer = this.peer
    return this.trusted && !this.isClosed && peer && !peer.isClosed ? peer.calls : undefined
  }

  offerCalls(calls: DirectCalls): void {
    if (this.trusted) this.calls = calls
  }

  protected transmit(message: unknown): void {
    const peer = this.peer
    // Deliver on a later microtask, like every real transport: a sender must never observe the
    // receiver running inside its own `send` call.
    if (peer) queueMicrotask(() => peer.deliver(message))
  }

  protected closeTransport(): void {
    const peer = this.peer
    this.peer = undefined
    if (peer) queueMicrotask(() => peer.close())
  }
}

/**
 * Two connected in-memory ports: what one sends, the other receives. Used for the in-process
 * runtime and in tests. Values are passed by reference, not cloned. `trusted` (see Port.trusted)
 * only for a pair that RpcClient and RpcServer alone send on: tests that send raw values do not.
 * On a trusted pair the client calls the server's methods directly (Port.peerCalls); events and
 * error reports still go as messages.
 */
export function createPortPair(options: { trusted?: boolean } = {}): [Port, Port] {
  const a = new MemoryPort(options.trusted ?? false)
  const b = new MemoryPort(options.trusted ?? false)
  a.peer = b
  b.peer = a
  return [a, b]
}
