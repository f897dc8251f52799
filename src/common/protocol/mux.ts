import { z } from 'zod'
import { Emitter } from '../event'
import { DisposableStore, type Disposable } from '../lifecycle'
import type { Logger } from '../logger'
import { BasePort } from './base-port'
import { ErrorEnvelope } from './envelope'
import type { Port } from './port'
import { describeValue } from './rpc'

/**
 * Many logical connections over one port. The browser-mode host has one IPC channel to its runtime
 * child process but any number of browser tabs; each tab gets its own channel, so each is a separate
 * client of the same runtime (the same namespace), exactly like several Electron windows.
 *
 * Only one side opens channels (the host); the other accepts them.
 */
export const MuxFrame = z.discriminatedUnion('op', [
  z.object({ mux: z.number().int().positive(), op: z.literal('open') }),
  z.object({ mux: z.number().int().positive(), op: z.literal('data'), data: z.unknown() }),
  z.object({ mux: z.number().int().positive(), op: z.literal('close') }),
  // A heartbeat below the channels: answered by the peer's event loop, whatever its channels do.
  z.object({ op: z.literal('ping'), id: z.number().int().nonnegative() }),
  z.object({ op: z.literal('pong'), id: z.number().int().nonnegative() }),
  // From the host to the process itself, below the channels (the assistant's settings): no channel, so no client, sees it.
  z.object({ op: z.literal('control'), data: z.unknown() })
])
export type MuxFrame = z.infer<typeof MuxFrame>

class MuxChannel extends BasePort {
  constructor(
    readonly id: number,
    private readonly mux: PortMux
  ) {
    super()
  }
  protected transmit(message: unknown): void {
    this.mux.sendFrame({ mux: this.id, op: 'data', data: message })
  }
  protected closeTransport(): void {
    this.mux.closeChannel(this.id, true)
  }
  receive(message: unknown): void {
    this.deliver(message)
  }
  remoteClosed(): void {
    this.markClosed()
  }
}

export class PortMux implements Disposable {
  private nextId = 1
  private nextPing = 0
  private readonly pongs = new Map<number, () => void>()
  private readonly channels = new Map<number, MuxChannel>()
  private readonly opened = new Emitter<Port>()
  private readonly controls = new Emitter<unknown>()
  private readonly store = new DisposableStore()

  /** A channel the other side opened. */
  readonly onDidOpenChannel = this.opened.event
  /** A control message from the peer process itself (see {@link sendControl}); the receiver validates it. */
  readonly onDidReceiveControl = this.controls.event

  constructor(
    private readonly port: Port,
    private readonly log: Logger
  ) {
    this.store.add(port.onMessage((raw) => this.receive(raw)))
    this.store.add(
      port.onClose(() => {
        for (const channel of [...this.channels.values()]) channel.remoteClosed()
        this.channels.clear()
      })
    )
    this.store.add(this.opened)
    this.store.add(this.controls)
  }

  get channelCount(): number {
    return this.channels.size
  }

  open(): Port {
    const channel = new MuxChannel(this.nextId++, this)
    this.channels.set(channel.id, channel)
    this.sendFrame({ mux: channel.id, op: 'open' })
    return channel
  }

  /** Resolves when the peer answers (its event loop is alive); rejects when `signal` aborts first. */
  ping(signal: AbortSignal): Promise<void> {
    const id = this.nextPing++
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.pongs.delete(id)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.pongs.set(id, () => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      })
      this.port.send({ op: 'ping', id } satisfies MuxFrame)
    })
  }

  /** A message for the peer process itself, never delivered to any channel. */
  sendControl(data: unknown): void {
    this.sendFrame({ op: 'control', data })
  }

  /** @internal */
  sendFrame(frame: MuxFrame): void {
    this.port.send(frame)
  }

  /** @internal */
  closeChannel(id: number, notifyPeer: boolean): void {
    if (this.channels.delete(id) && notifyPeer) this.sendFrame({ mux: id, op: 'close' })
  }

  dispose(): void {
    for (const channel of [...this.channels.values()]) channel.close()
    this.store.dispose()
  }

  private receive(raw: unknown): void {
    const parsed = MuxFrame.safeParse(raw)
    if (!parsed.success) {
      const complaint = ErrorEnvelope.safeParse(raw)
      if (complaint.success) {
        this.log.warn(`mux: peer reported: ${complaint.data.error.message}`, complaint.data.error)
        return // never answer a complaint, or two peers could argue forever
      }
      this.reject(raw, 'malformed multiplexer frame')
      return
    }
    const frame = parsed.data
    if (frame.op === 'ping') return void this.port.send({ op: 'pong', id: frame.id } satisfies MuxFrame)
    if (frame.op === 'control') return this.controls.fire(frame.data)
    if (frame.op === 'pong') {
      const answer = this.pongs.get(frame.id)
      this.pongs.delete(frame.id)
      return answer?.()
    }
    const channel = this.channels.get(frame.mux)
    switch (frame.op) {
      case 'open': {
        if (channel) return this.reject(raw, `channel ${frame.mux} is already open`)
        const accepted = new MuxChannel(frame.mux, this)
        this.channels.set(frame.mux, accepted)
        this.opened.fire(accepted)
        return
      }
      case 'data':
        if (!channel) return this.reject(raw, `no open channel ${frame.mux}`)
        channel.receive(frame.data)
        return
      case 'close':
        if (!channel) return // both sides closed at once
        this.closeChannel(frame.mux, false)
        channel.remoteClosed()
        return
    }
  }

  private reject(raw: unknown, message: string): void {
    this.log.warn(`mux: rejected message: ${message}`, { received: describeValue(raw) })
    this.port.send({ kind: 'error', error: { name: 'ProtocolError', code: 'invalid-message', message } } satisfies ErrorEnvelope)
  }
}
