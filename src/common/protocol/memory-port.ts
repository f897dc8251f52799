import { BasePort } from './base-port'
import type { Port } from './port'

class MemoryPort extends BasePort {
  peer: MemoryPort | undefined

  constructor(readonly trusted: boolean) {
    super()
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
 */
export function createPortPair(options: { trusted?: boolean } = {}): [Port, Port] {
  const a = new MemoryPort(options.trusted ?? false)
  const b = new MemoryPort(options.trusted ?? false)
  a.peer = b
  b.peer = a
  return [a, b]
}
