import type { Event } from '../event'

/**
 * One end of a bidirectional message channel: the only thing the protocol layer knows about a
 * transport. Messages are opaque values here; the receiver validates them (see `rpc.ts`).
 *
 * `send` never blocks and never throws: a closed or broken transport drops the message and fires
 * `onClose` (no producer may ever block on a consumer).
 */
export interface Port {
  send(message: unknown): void
  readonly onMessage: Event<unknown>
  /** Fires once, when either side closes or the transport breaks. */
  readonly onClose: Event<void>
  readonly isClosed: boolean
  close(): void
}
