import type { z } from 'zod'
import { ProtocolError, RemoteError, serializeError, type ProtocolErrorCode, type SerializedError } from '../errors'
import { Emitter, type Event } from '../event'
import { whenReady, type Maybe } from '../maybe'
import { DisposableStore, type Disposable } from '../lifecycle'
import type { Logger } from '../logger'
import type { Contract, EventName, Handlers, MethodName, MethodSchema, ParamsOf, PayloadOf, RequestContext, ResultOf } from './contract'
import { ClientMessage, ServerMessage, type ErrorEnvelope, type RequestEnvelope, type ResponseEnvelope } from './envelope'
import { parsesToItself, parsesToItselfGiven } from './identity-schema'
import type { DirectCalls, Port } from './port'

const MAX_ISSUES = 10

type UntypedHandler = (params: unknown, context: RequestContext) => unknown

/** A request whose method is known and whose parameters passed the contract (with its defaults applied). */
type Prepared = { ok: true; schema: MethodSchema; handler: UntypedHandler; params: unknown } | { ok: false; failure: SerializedError }

/** How a handler ended: its result (not yet checked against the contract), or its error as the caller gets it. */
type Outcome = { ok: true; result: unknown } | { ok: false; error: SerializedError }

/** A short, safe description of an arbitrary received value, for log lines. */
export function describeValue(value: unknown, max = 200): string {
  let text: string
  try {
    text =
      typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value))
  } catch {
    text = Object.prototype.toString.call(value)
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text
}

function issuesOf(error: z.ZodError): unknown[] {
  return error.issues.slice(0, MAX_ISSUES).map((issue) => ({ path: issue.path.map(String), message: issue.message, code: issue.code }))
}

function protocolFailure(code: ProtocolErrorCode, message: string, details?: unknown): SerializedError {
  return { name: 'ProtocolError', code, message, ...(details !== undefined ? { details } : {}) }
}

function failureResponse(id: number, error: SerializedError): ResponseEnvelope {
  return { kind: 'response', id, ok: false, error }
}

/** Why a message failed the envelope check: a kind this side never accepts, or just malformed. */
function unparsedFailure(raw: unknown, error: z.ZodError, side: 'server' | 'client', otherSidesKinds: string[]): SerializedError {
  const kind = typeof raw === 'object' && raw !== null ? (raw as { kind?: unknown }).kind : undefined
  return typeof kind === 'string' && otherSidesKinds.includes(kind)
    ? protocolFailure('unexpected-message', `a ${side} does not accept '${kind}' messages`)
    : protocolFailure('invalid-message', 'malformed message', issuesOf(error))
}

/** The id of a value that looks like a request, so even a malformed request gets its answer. */
function requestIdOf(raw: unknown): number | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const { kind, id } = raw as { kind?: unknown; id?: unknown }
  return kind === 'request' && typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined
}

/**
 * Logs a message we cannot accept and tells the sender why. A server answers a request-shaped
 * message on its id, so the caller's promise settles; everything else gets an `error` envelope,
 * which is never answered in turn.
 */
function rejectMessage(port: Port, log: Logger, raw: unknown, error: SerializedError, asServer: boolean): void {
  log.warn(`protocol: rejected message: ${error.message}`, { code: error.code, received: describeValue(raw) })
  const id = asServer ? requestIdOf(raw) : undefined
  if (id !== undefined) port.send({ kind: 'response', id, ok: false, error } satisfies ResponseEnvelope)
  else port.send({ kind: 'error', error } satisfies ErrorEnvelope)
}

/**
 * A request's cancellation, handed to its handler as the RequestContext: the AbortSignal is made
 * only when the handler reads `signal` (making one costs about 10 µs in Node 20, and a handler
 * that answers in the same turn, such as a synchronous evaluation, never needs it). A cancel that
 * came first gives a signal already aborted.
 */
class InFlightRequest implements RequestContext {
  private controller: AbortController | undefined
  private cancelled: { reason: unknown } | undefined

  constructor(readonly requestId: number) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController()
      if (this.cancelled) this.controller.abort(this.cancelled.reason)
    }
    return this.controller.signal
  }

  get isCancelled(): boolean {
    return this.cancelled !== undefined
  }

  cancel(reason: unknown): void {
    if (this.cancelled) return
    this.cancelled = { reason }
    this.controller?.abort(reason)
  }
}

/**
 * Serves a contract's methods on a port and emits its events. Every received message is checked
 * with `safeParse`; a bad one is logged and answered with a structured error, and the server keeps
 * going. Cancels abort the handler's signal. A closed port does not abort running handlers: work
 * started by a client outlives that client's window (a renderer reload must not kill a graph run).
 */
export class RpcServer<C extends Contract> implements Disposable {
  private readonly inFlight = new Map<number, InFlightRequest>()
  private readonly store = new DisposableStore()
  /** Ids of direct calls (Port.peerCalls): negative, never a request id on the wire. */
  private lastDirectId = 0
  /** Events emitted so far: a direct call that emitted some is not answered within the call (see callDirect). */
  private emitted = 0

  readonly onClose: Event<void>

  constructor(
    private readonly port: Port,
    private readonly contract: C,
    private readonly handlers: Handlers<C>,
    private readonly log: Logger
  ) {
    this.onClose = port.onClose
    this.store.add(port.onMessage((raw) => this.receive(raw)))
    port.offerCalls?.(this.callDirect)
  }

  get isClosed(): boolean {
    return this.port.isClosed
  }

  emit<E extends EventName<C>>(topic: E, payload: z.input<C['events'][E]>): void {
    this.emitted++
    this.port.send({ kind: 'event', topic, payload })
  }

  dispose(): void {
    this.store.dispose()
    this.port.close()
  }

  private receive(raw: unknown): void {
    // A trusted port's messages were built by an RpcClient in this process: their framing is ours.
    const parsed = this.port.trusted ? { success: true as const, data: raw as ClientMessage } : ClientMessage.safeParse(raw)
    if (!parsed.success) {
      rejectMessage(this.port, this.log, raw, unparsedFailure(raw, parsed.error, 'server', ['response', 'event']), true)
      return
    }
    const message = parsed.data
    switch (message.kind) {
      case 'request':
        void this.handle(message, raw)
        return
      case 'cancel':
        this.inFlight.get(message.id)?.cancel(new ProtocolError('cancelled', 'cancelled by the caller'))
        return
      case 'error':
        this.log.warn(`protocol: peer reported: ${message.error.message}`, message.error)
        return
    }
  }

  private async handle(request: RequestEnvelope, raw: unknown): Promise<void> {
    const prepared = this.prepare(request.method, request.params)
    if (!prepared.ok) {
      rejectMessage(this.port, this.log, raw, prepared.failure, true)
      return
    }
    if (this.inFlight.has(request.id)) {
      // Not answered on that id: the first request with it is still owed its own answer.
      rejectMessage(this.port, this.log, raw, protocolFailure('invalid-message', `request id ${request.id} is already in flight`), false)
      return
    }
    const context = new InFlightRequest(request.id)
    this.inFlight.set(request.id, context)
    const outcome = await this.run(prepared, context)
    this.inFlight.delete(request.id)
    let response: ResponseEnvelope
    if (outcome.ok) {
      // Our own result must honour the contract too: a caller must never wait for an answer that
      // its side would reject (or that the transport cannot carry). Over a trusted port the client
      // checks it on arrival, and rejects the call itself if it fails: not checked twice.
      const checked = this.port.trusted ? { success: true as const } : prepared.schema.result.safeParse(outcome.result)
      response = checked.success
        ? { kind: 'response', id: request.id, ok: true, result: outcome.result }
        : failureResponse(
            request.id,
            protocolFailure('invalid-result', `'${request.method}' produced a result that breaks its contract`, issuesOf(checked.error))
          )
    } else response = failureResponse(request.id, outcome.error)
    if (!this.port.send(response) && !this.port.isClosed) {
      this.log.error(`protocol: the response to '${request.method}' could not be sent`)
      this.port.send(failureResponse(request.id, protocolFailure('invalid-result', `the response to '${request.method}' could not be sent`)))
    }
  }

  /**
   * A call from the client on the other end of a trusted pair (Port.peerCalls): the same checks
   * and handler as a request, without the envelopes, the messages and their dispatch (in the pipe
   * mode they and the parses a direct call skips were about a sixth of the CPU time of an input
   * such as `1 + i`). The caller's signal aborting cancels it; the caller checks the result
   * against the contract, as on arrival. The handler starts within the call, as a function does,
   * and a synchronous handler's result is returned within it, unless the call emitted events: those
   * reach the client on later microtasks, and its answer must not overtake them (an input's output
   * comes before its result).
   */
  private readonly callDirect: DirectCalls = (method, params, signal) => {
    const prepared = this.prepare(method, params, true)
    if (!prepared.ok) {
      this.log.warn(`protocol: rejected call: ${prepared.failure.message}`, { code: prepared.failure.code })
      return Promise.reject(new RemoteError(prepared.failure))
    }
    const context = new InFlightRequest(--this.lastDirectId)
    const onAbort = (): void => context.cancel(new ProtocolError('cancelled', 'cancelled by the caller'))
    if (signal?.aborted) onAbort()
    else signal?.addEventListener('abort', onAbort, { once: true })
    const emitted = this.emitted
    return whenReady(this.run(prepared, context), (outcome) => {
      signal?.removeEventListener('abort', onAbort)
      if (!outcome.ok) return Promise.reject(new RemoteError(outcome.error))
      return this.emitted === emitted ? outcome.result : Promise.resolve(outcome.result)
    })
  }

  /**
   * A request's method and parameters, checked against the contract. From a direct call
   * (`direct`), parameters a parse would give back unchanged are taken as they are: they were
   * built in this process by code typed with the contract (see parsesToItselfGiven: `{ code,
   * mode: 'js' }` is, `{ code }` is parsed for its default mode).
   */
  private prepare(method: string, params: unknown, direct = false): Prepared {
    const schema = Object.hasOwn(this.contract.methods, method) ? this.contract.methods[method] : undefined
    const handler = schema ? (this.handlers as unknown as Record<string, UntypedHandler>)[method] : undefined
    if (!schema || !handler) return { ok: false, failure: protocolFailure('unknown-method', `unknown method '${method}'`) }
    if (direct && parsesToItselfGiven(schema.params, params)) return { ok: true, schema, handler, params }
    const parsed = schema.params.safeParse(params)
    if (!parsed.success) return { ok: false, failure: protocolFailure('invalid-params', `invalid parameters for '${method}'`, issuesOf(parsed.error)) }
    return { ok: true, schema, handler, params: parsed.data }
  }

  /** The handler's outcome: at once when it returned a value, else when its promise settles. */
  private run(prepared: Prepared & { ok: true }, context: InFlightRequest): Maybe<Outcome> {
    let result: unknown
    try {
      result = prepared.handler(prepared.params, context)
    } catch (error) {
      return failedOutcome(error, context)
    }
    if (!isThenable(result)) return { ok: true, result }
    return Promise.resolve(result).then(
      (value): Outcome => ({ ok: true, result: value }),
      (error: unknown) => failedOutcome(error, context)
    )
  }
}

function failedOutcome(error: unknown, context: InFlightRequest): Outcome {
  const serialized = serializeError(error)
  if (context.isCancelled && !serialized.code) serialized.code = 'cancelled'
  return { ok: false, error: serialized }
}

/** What `await` would wait for. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

interface PendingCall {
  readonly method: string
  resolve(value: unknown): void
  reject(error: unknown): void
}

export interface CallOptions {
  /** Aborting sends a cancel to the server and rejects the call at once with code 'cancelled'. */
  signal?: AbortSignal
  /**
   * After a cancel, keep waiting for the server's answer instead of rejecting at once: for calls
   * whose answer says how the cancel went (an evaluation: cancelled, or interrupted).
   */
  awaitAnswerOnCancel?: boolean
}

/**
 * Calls a contract's methods over a port and receives its events. Responses and events are
 * validated against the contract; a bad one is logged, answered with an error, and (for a
 * response) rejects the call it belongs to.
 */
export class RpcClient<C extends Contract> implements Disposable {
  private nextId = 1
  private readonly pending = new Map<number, PendingCall>()
  private readonly eventEmitters = new Map<string, Emitter<unknown>>()
  private readonly protocolErrors = new Emitter<SerializedError>()
  private readonly store = new DisposableStore()

  /** Errors the server reported about messages we sent. */
  readonly onProtocolError = this.protocolErrors.event
  readonly onClose: Event<void>

  constructor(
    private readonly port: Port,
    private readonly contract: C,
    private readonly log: Logger
  ) {
    this.onClose = port.onClose
    this.store.add(port.onMessage((raw) => this.receive(raw)))
    this.store.add(port.onClose(() => this.failAll(new ProtocolError('connection-closed', 'the connection to the runtime closed'))))
    this.store.add(this.protocolErrors)
  }

  get isClosed(): boolean {
    return this.port.isClosed
  }

  call<M extends MethodName<C>>(method: M, params: ParamsOf<C, M>, options: CallOptions = {}): Promise<ResultOf<C, M>> {
    const answer = this.callNow(method, params, options)
    return answer instanceof Promise ? answer : Promise.resolve(answer)
  }

  /**
   * {@link call}, answered within the call where the server did (a synchronous handler on the other
   * end of a trusted pair, see RpcServer.callDirect): the result itself, checked as on arrival, with
   * no promise turn. Otherwise the promise that call() gives.
   */
  callNow<M extends MethodName<C>>(method: M, params: ParamsOf<C, M>, options: CallOptions = {}): Maybe<ResultOf<C, M>> {
    const { signal } = options
    if (signal?.aborted) return Promise.reject(new ProtocolError('cancelled', `'${method}' was cancelled before it was sent`))
    if (this.port.isClosed) return Promise.reject(new ProtocolError('connection-closed', `cannot call '${method}': the connection is closed`))
    const id = this.nextId++
    // The server on the other end of a trusted pair, called without envelopes (see RpcServer.callDirect).
    const direct = this.port.trusted ? this.port.peerCalls : undefined
    const answer = direct?.(method, params, signal)
    if (direct && !(answer instanceof Promise)) {
      const checked = this.checked(method, answer, answer, true)
      return checked.ok ? (checked.result as ResultOf<C, M>) : Promise.reject(checked.error)
    }
    return new Promise<ResultOf<C, M>>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.pending.has(id)) return
        if (!direct) this.port.send({ kind: 'cancel', id }) // a direct call watches the signal itself
        if (options.awaitAnswerOnCancel) return // the answer settles it (or the connection closing does)
        this.pending.delete(id)
        reject(new ProtocolError('cancelled', `'${method}' was cancelled`))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.pending.set(id, {
        method,
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(value as ResultOf<C, M>)
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort)
          reject(error)
        }
      })
      if (answer instanceof Promise)
        answer.then(
          (result) => this.settle(id, { ok: true, result }, result, true),
          (error: unknown) => {
            const call = this.pending.get(id)
            if (!call) return // cancelled, or the connection closed: already rejected
            this.pending.delete(id)
            call.reject(error)
          }
        )
      else this.port.send({ kind: 'request', id, method, params })
    })
  }

  subscribe<E extends EventName<C>>(topic: E, listener: (payload: PayloadOf<C, E>) => void): Disposable {
    let emitter = this.eventEmitters.get(topic)
    if (!emitter) {
      emitter = new Emitter<unknown>()
      this.eventEmitters.set(topic, emitter)
    }
    return emitter.event(listener as (payload: unknown) => void)
  }

  dispose(): void {
    this.failAll(new ProtocolError('connection-closed', 'the client was disposed'))
    this.store.dispose()
    for (const emitter of this.eventEmitters.values()) emitter.dispose()
    this.port.close()
  }

  private failAll(error: Error): void {
    const calls = [...this.pending.values()]
    this.pending.clear()
    for (const call of calls) call.reject(error)
  }

  private receive(raw: unknown): void {
    // A trusted port's messages were built by an RpcServer in this process: their framing is ours
    // (results and payloads are still parsed: that applies the contract's defaults).
    const parsed = this.port.trusted ? { success: true as const, data: raw as ServerMessage } : ServerMessage.safeParse(raw)
    if (!parsed.success) {
      const failure = unparsedFailure(raw, parsed.error, 'client', ['request', 'cancel'])
      rejectMessage(this.port, this.log, raw, failure, false)
      // A broken answer is still an answer: the call it was meant for must not wait forever.
      const id = (raw as { kind?: unknown; id?: unknown } | null)?.kind === 'response' ? (raw as { id: unknown }).id : undefined
      const call = typeof id === 'number' ? this.pending.get(id) : undefined
      if (call) {
        this.pending.delete(id as number)
        call.reject(new ProtocolError('invalid-result', `malformed response to '${call.method}'`, failure.details))
      }
      return
    }
    const message = parsed.data
    switch (message.kind) {
      case 'response':
        this.settle(message.id, message, raw)
        return
      case 'event':
        this.dispatch(message.topic, message.payload, raw)
        return
      case 'error':
        this.log.warn(`protocol: runtime reported: ${message.error.message}`, message.error)
        this.protocolErrors.fire(message.error)
        return
    }
  }

  /**
   * Settles call `id` with its answer (`raw`: what arrived, for the log). The result of a direct
   * call (`direct`) is taken as it is when a parse would give it back unchanged: the handler that
   * made it runs in this process, typed with the contract (see parsesToItself).
   */
  private settle(id: number, answer: Outcome, raw: unknown, direct = false): void {
    const call = this.pending.get(id)
    if (!call) return // answered after a cancel or a timeout: nobody is waiting
    this.pending.delete(id)
    if (!answer.ok) {
      call.reject(new RemoteError(answer.error))
      return
    }
    const checked = this.checked(call.method, answer.result, raw, direct)
    if (checked.ok) call.resolve(checked.result)
    else call.reject(checked.error)
  }

  /** A result checked against the contract (its defaults applied); a bad one is reported to the server. */
  private checked(method: string, result: unknown, raw: unknown, direct: boolean): { ok: true; result: unknown } | { ok: false; error: ProtocolError } {
    const schema = this.contract.methods[method]!.result
    if (direct && parsesToItself(schema)) return { ok: true, result }
    const parsed = schema.safeParse(result)
    if (parsed.success) return { ok: true, result: parsed.data }
    const failure = protocolFailure('invalid-result', `invalid result for '${method}'`, issuesOf(parsed.error))
    rejectMessage(this.port, this.log, raw, failure, false)
    return { ok: false, error: new ProtocolError('invalid-result', failure.message, failure.details) }
  }

  private dispatch(topic: string, payload: unknown, raw: unknown): void {
    const schema = Object.hasOwn(this.contract.events, topic) ? this.contract.events[topic] : undefined
    if (!schema) {
      rejectMessage(this.port, this.log, raw, protocolFailure('invalid-message', `unknown event '${topic}'`), false)
      return
    }
    const parsed = schema.safeParse(payload)
    if (!parsed.success) {
      rejectMessage(this.port, this.log, raw, protocolFailure('invalid-result', `invalid payload for event '${topic}'`, issuesOf(parsed.error)), false)
      return
    }
    this.eventEmitters.get(topic)?.fire(parsed.data)
  }
}
