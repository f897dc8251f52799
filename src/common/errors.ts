import { z } from 'zod'

/** An error as it crosses a process boundary: plain data, never a live Error object. */
export const SerializedError = z.object({
  name: z.string().max(200),
  message: z.string().max(100_000),
  stack: z.string().max(100_000).optional(),
  /** Machine-readable reason, e.g. one of {@link ProtocolErrorCode}. */
  code: z.string().max(100).optional(),
  /** Structured details, e.g. zod issues of an invalid message. */
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

/** Turns any thrown value into {@link SerializedError}. Never throws itself. */
export function serializeError(value: unknown): SerializedError {
  if (isErrorLike(value)) {
    const code = (value as { code?: unknown }).code
    const details = (value as { details?: unknown }).details
    return {
      name: value.name,
      message: value.message,
      ...(value.stack ? { stack: value.stack } : {}),
      ...(typeof code === 'string' ? { code } : {}),
      ...(details !== undefined ? { details } : {})
    }
  }
  let message: string
  try {
    message = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  } catch {
    message = Object.prototype.toString.call(value)
  }
  return { name: 'NonErrorThrown', message }
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
