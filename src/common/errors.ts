import { z } from 'zod'
import { clip } from './text'

const LIMITS = { name: 200, message: 20_000, stack: 50_000, code: 100, details: 20_000 }

/** An error as it crosses a process boundary: plain, JSON-safe data, never a live Error object. */
export const SerializedError = z.object({
  name: z.string().max(LIMITS.name),
  message: z.string().max(LIMITS.message),
  stack: z.string().max(LIMITS.stack).optional(),
  /** Machine-readable reason, e.g. one of {@link ProtocolErrorCode}. */
  code: z.string().max(LIMITS.code).optional(),
  /** Structured details (JSON), e.g. zod issues of an invalid message. */
  details: z.unknown().optional()
})
export type SerializedError = z.infer<typeof SerializedError>

/**
 * True for Error objects from any realm: errors thrown inside a `vm` context are not
 * `instanceof Error` of the host.
 */
export function isErrorLike(value: unknown): value is Error {
  if (value instanceof Error) return true
  if (typeof value !== 'object' || value === null) return false
  const { name, message } = value as { name?: unknown; message?: unknown }
  return typeof name === 'string' && typeof message === 'string' && Object.prototype.toString.call(value) === '[object Error]'
}

/** `text` within `max` characters, the note on what was cut included (the schema's limit). */
function within(text: string, max: number): string {
  return text.length <= max ? text : clip(text, max - 40)
}

/** `details` only if it is small JSON: what crosses every transport (structured clone and WebSocket). */
function jsonDetails(details: unknown): unknown {
  if (details === undefined) return undefined
  try {
    const text = JSON.stringify(details)
    return text !== undefined && text.length <= LIMITS.details ? (JSON.parse(text) as unknown) : undefined
  } catch {
    return undefined
  }
}

function describeThrown(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  } catch {
    try {
      return Object.prototype.toString.call(value)
    } catch {
      return 'an unreadable value'
    }
  }
}

/**
 * Turns any thrown value into {@link SerializedError}, within the schema's limits. Never throws,
 * even for values whose getters or Proxy traps throw (user code can throw anything).
 */
export function serializeError(value: unknown): SerializedError {
  try {
    if (!isErrorLike(value)) return { name: 'NonErrorThrown', message: within(describeThrown(value), LIMITS.message) }
    const { name, message, stack, code, details } = value as { name: unknown; message: unknown; stack?: unknown; code?: unknown; details?: unknown }
    const safeDetails = jsonDetails(details)
    return {
      name: within(String(name), LIMITS.name),
      message: within(String(message), LIMITS.message),
      ...(typeof stack === 'string' && stack ? { stack: within(stack, LIMITS.stack) } : {}),
      ...(typeof code === 'string' ? { code: within(code, LIMITS.code) } : {}),
      ...(safeDetails !== undefined ? { details: safeDetails } : {})
    }
  } catch {
    return { name: 'UnserializableError', message: 'an error was thrown, but reading it threw again' }
  }
}

/** Why a protocol exchange failed. */
export type ProtocolErrorCode =
  | 'invalid-message' //  the envelope itself is malformed
  | 'invalid-params' //   a known method got parameters that fail its schema
  | 'invalid-result' //   a response or event payload fails its schema
  | 'unknown-method'
  | 'unexpected-message' // a valid envelope the receiver never accepts (e.g. a request sent to a client)
  | 'cancelled'
  | 'connection-closed'
  | 'handler-failed' //   the method ran and threw

/** An error of the protocol layer, with a {@link ProtocolErrorCode}. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly details?: unknown
  ) {
    super(message)
  }
}

/** The error a remote method threw, rebuilt on the calling side. */
export class RemoteError extends Error {
  readonly remote: SerializedError
  constructor(remote: SerializedError) {
    super(remote.message)
    this.name = remote.name
    this.remote = remote
    if (remote.stack) this.stack = remote.stack
  }
  get code(): string | undefined {
    return this.remote.code
  }
}

type UnexpectedErrorHandler = (error: unknown) => void
let unexpectedErrorHandler: UnexpectedErrorHandler = (error) => {
  // Default: surface it asynchronously so the failing caller is not derailed.
  setTimeout(() => {
    throw error
  })
}

/** Where errors go that nobody awaits (a throwing event listener, for example). */
export function setUnexpectedErrorHandler(handler: UnexpectedErrorHandler): void {
  unexpectedErrorHandler = handler
}

export function reportUnexpectedError(error: unknown): void {
  try {
    unexpectedErrorHandler(error)
  } catch {
    // the handler itself failed; nothing sensible is left to do
  }
}
