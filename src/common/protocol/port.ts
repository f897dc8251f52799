import type { Event } from '../event'
import type { Maybe } from '../maybe'

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
  /**
   * Both ends are in this process and only RpcClient / RpcServer send on it (the in-process
   * runtime's pair): no trust boundary is crossed, so the receiver does not re-check the framing of
   * what its own side's code built (see `rpc.ts`). Never set on a port whose messages come from
   * another process, a socket, or code that may send raw values.
   */
  readonly trusted?: boolean
  /**
   * Trusted pairs only: the other end's RpcServer, to call without envelopes (see rpc.ts): what
   * the server offered with {@link offerCalls}. Undefined on every other port.
   */
  readonly peerCalls?: DirectCalls | undefined
  /** Trusted pairs only: lets the client on the other end call this end's RpcServer directly. */
  offerCalls?(calls: DirectCalls): void
  close(): void
}

/**
 * A server's methods called in its own process: the handler's result (not yet checked against
 * the contract: the caller does that), returned within the call when the handler was synchronous
 * and emitted nothing meanwhile, else a promise of it; or a rejection, as the call would get over
 * the wire. `signal` aborting cancels the call, as a cancel message would. Values pass by
 * reference (no copy, nothing stripped): a client must not change a result it was given.
 */
export type DirectCalls = (method: string, params: unknown, signal: AbortSignal | undefined) => Maybe<unknown>
