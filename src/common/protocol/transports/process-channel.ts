import { BasePort } from '../base-port'
import type { Port } from '../port'

/**
 * A Node child-process IPC channel, from either end: the parent's `ChildProcess` or the child's
 * `process`. Fork with `serialization: 'advanced'` so values cross as structured clones.
 */
export interface ProcessChannelLike {
  send?(message: unknown, callback: (error: Error | null) => void): boolean
  on(event: 'message', listener: (message: unknown) => void): unknown
  on(event: 'disconnect', listener: () => void): unknown
  disconnect?(): void
  readonly connected?: boolean
}

class ProcessChannelAdapter extends BasePort {
  constructor(private readonly channel: ProcessChannelLike) {
    super()
    channel.on('message', (message) => this.deliver(message))
    channel.on('disconnect', () => this.markClosed())
    if (channel.connected === false || !channel.send) this.markClosed()
  }
  protected transmit(message: unknown): void {
    if (!this.channel.connected) return this.markClosed()
    // `send` never blocks (Node queues), and reports a dead channel through the callback.
    this.channel.send?.(message, (error) => {
      if (error) this.markClosed()
    })
  }
  protected closeTransport(): void {
    if (this.channel.connected) this.channel.disconnect?.()
  }
}

export function fromProcessChannel(channel: ProcessChannelLike): Port {
  return new ProcessChannelAdapter(channel)
}
