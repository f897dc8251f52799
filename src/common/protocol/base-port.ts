import { reportUnexpectedError } from '../errors'
import { Emitter } from '../event'
import type { Port } from './port'

/**
 * The bookkeeping every transport adapter shares: the two emitters and an idempotent close.
 * Subclasses implement `transmit` (send on the wire) and `closeTransport`, and call
 * `deliver` / `markClosed` when the wire says so.
 */
export abstract class BasePort implements Port {
  private readonly messages = new Emitter<unknown>()
  private readonly closes = new Emitter<void>()
  private closed = false

  readonly onMessage = this.messages.event
  readonly onClose = this.closes.event

  get isClosed(): boolean {
    return this.closed
  }

  send(message: unknown): boolean {
    if (this.closed) return false // dropped: the other side is gone
    try {
      this.transmit(message)
      return true
    } catch (error) {
      // An unsendable value (a function, say) is the sender's bug: report it, drop the message,
      // and keep the channel, rather than throwing into a producer that may not expect it.
      reportUnexpectedError(error)
      return false
    }
  }

  close(): void {
    if (this.closed) return
    try {
      this.closeTransport()
    } finally {
      this.markClosed()
    }
  }

  protected deliver(message: unknown): void {
    if (!this.closed) this.messages.fire(message)
  }

  protected markClosed(): void {
    if (this.closed) return
    this.closed = true
    this.closes.fire()
    this.messages.dispose()
    this.closes.dispose()
  }

  protected abstract transmit(message: unknown): void
  protected abstract closeTransport(): void
}
