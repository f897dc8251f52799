import { BasePort } from '../base-port'
import type { Port } from '../port'

/** The browser `WebSocket` and the `ws` package's `WebSocket` both fit this shape. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void
  addEventListener(type: 'close' | 'error', listener: () => void): void
  close(code?: number, reason?: string): void
}

const OPEN = 1

class WebSocketAdapter extends BasePort {
  constructor(private readonly socket: WebSocketLike) {
    super()
    socket.addEventListener('message', (event) => this.deliver(decode(event.data)))
    socket.addEventListener('close', () => this.markClosed())
    // A protocol error (bad UTF-8, an oversized frame) is followed by 'close'. Listening also keeps
    // the ws package from throwing it as an unhandled 'error' event.
    socket.addEventListener('error', () => this.markClosed())
    if (socket.readyState > OPEN) this.markClosed()
  }
  protected transmit(message: unknown): void {
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message))
  }
  protected closeTransport(): void {
    this.socket.close(1000, 'closed')
  }
}

/**
 * The deepest nesting of arrays and objects a frame may carry. No message of the contracts comes
 * near it; a deeper one would overflow the stack of the structured clone that forwards it to the
 * runtime's process, so it would vanish unanswered.
 */
export const MAX_FRAME_NESTING = 512

/** Whether `json` nests arrays and objects deeper than `limit` (brackets inside strings do not count). */
function nestsDeeperThan(json: string, limit: number): boolean {
  // Most frames (output batches) hold few brackets: counting them natively rules deep nesting out.
  if (!hasMoreThan(json, '[', '{', limit)) return false
  let depth = 0
  let inString = false
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/** Whether `text` holds more than `limit` of the characters `a` and `b` together. */
function hasMoreThan(text: string, a: string, b: string, limit: number): boolean {
  let count = 0
  for (const c of [a, b]) {
    for (let i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) if (++count > limit) return true
  }
  return false
}

/**
 * Text frames carry JSON. A frame that is not JSON, or nests deeper than MAX_FRAME_NESTING, is
 * delivered as its raw text (and binary frames as they are), so the receiver rejects it with a
 * proper error reply like any other bad message.
 */
function decode(data: unknown): unknown {
  if (typeof data !== 'string') return data
  if (nestsDeeperThan(data, MAX_FRAME_NESTING)) return data
  try {
    return JSON.parse(data) as unknown
  } catch {
    return data
  }
}

/** Wraps an already open WebSocket. */
export function fromWebSocket(socket: WebSocketLike): Port {
  return new WebSocketAdapter(socket)
}
