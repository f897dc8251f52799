import { z } from 'zod'
import { SerializedError } from '../errors'

/**
 * The framing every Cortex connection speaks, whatever the transport. A client sends requests and
 * cancels; a server sends responses and events; either side may send an `error` when it receives
 * something it cannot accept. Payloads (`params`, `result`, `payload`) are checked separately
 * against the contract of the method or event they belong to.
 */
export const MessageId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)

export const RequestEnvelope = z.object({
  kind: z.literal('request'),
  id: MessageId,
  method: z.string().min(1).max(200),
  params: z.unknown()
})

export const CancelEnvelope = z.object({
  kind: z.literal('cancel'),
  id: MessageId
})

export const ResponseEnvelope = z.discriminatedUnion('ok', [
  z.object({ kind: z.literal('response'), id: MessageId, ok: z.literal(true), result: z.unknown() }),
  z.object({ kind: z.literal('response'), id: MessageId, ok: z.literal(false), error: SerializedError })
])

export const EventEnvelope = z.object({
  kind: z.literal('event'),
  topic: z.string().min(1).max(200),
  payload: z.unknown()
})

/** A complaint about a message that had no request id to answer. Never answered itself. */
export const ErrorEnvelope = z.object({
  kind: z.literal('error'),
  error: SerializedError
})

export type RequestEnvelope = z.infer<typeof RequestEnvelope>
export type CancelEnvelope = z.infer<typeof CancelEnvelope>
export type ResponseEnvelope = z.infer<typeof ResponseEnvelope>
export type EventEnvelope = z.infer<typeof EventEnvelope>
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>

/** What a server accepts. */
export const ClientMessage = z.discriminatedUnion('kind', [RequestEnvelope, CancelEnvelope, ErrorEnvelope])
export type ClientMessage = z.infer<typeof ClientMessage>
/** What a client accepts. */
export const ServerMessage = z.union([ResponseEnvelope, EventEnvelope, ErrorEnvelope])
export type ServerMessage = z.infer<typeof ServerMessage>
