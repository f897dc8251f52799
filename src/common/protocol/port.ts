import type { Event } from '../event'

/**
 * One end of a bidirectional message channel: the only thing the protocol layer knows about a
 * transport. Messages are opaque values here; the receiver validates them (see `rpc.ts`).
 *
 * `send` never blocks and never throws (no producer may ever block on a consumer). It returns
 * false when the message was dropped: the port is closed, or the value cannot cross this transport.
 */
export interface Port {
  send(message: unknown): boolean
  readonly onMessage: Event<unknown>
  /** Fires once, when either side closes or the transport breaks. */
  readonly onClose: Event<void>
  readonly isClosed: boolean
  close(): void
}
