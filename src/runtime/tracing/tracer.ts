/**
 * Instrumentation helpers, on `@opentelemetry/api` only (the SDK is wired in sdk.ts alone). With
 * no SDK registered (tracing off) every span is the API's no-op: nothing is recorded, and the
 * helpers skip the work of building attributes.
 */
import { serializeError } from '../../common/errors'
import type { Maybe } from '../../common/maybe'
import {
  context,
  INVALID_SPAN_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type AttributeValue,
  type Span,
  type SpanKind,
  type Tracer
} from '@opentelemetry/api'

export const TRACER_NAME = 'cortex'

let cachedTracer: Tracer | undefined
/** Whether a provider is registered (sdk.ts says so): without one, every span is the API's no-op. */
let recording = false
/** The span work gets while tracing is off: records nothing, like the API's own no-op spans. */
const NOT_RECORDING: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT)

/**
 * Cortex's tracer. Looked up once per registration rather than per span: the API's lookup (global,
 * version check, proxy, the provider's tracer map) was a few percent of a span's cost. sdk.ts, the
 * only place that registers or unregisters a provider, calls {@link tracerProviderChanged}.
 */
export function tracer(): Tracer {
  return (cachedTracer ??= trace.getTracer(TRACER_NAME))
}

/** Forgets the looked-up tracer: the next span asks the API for the registered provider's (`recording`: there is one). */
export function tracerProviderChanged(registered: boolean): void {
  cachedTracer = undefined
  recording = registered
}

/** A span's attributes, or a function that makes them only if the span is recorded (for a hot path: a REPL input). */
export type SpanAttributes = Attributes | (() => Attributes)

/**
 * Runs `fn` in a new active span, context-manager style: the span ends however `fn` ends, an error
 * is recorded on it and rethrown. Nothing can leave a span open (pitfall 5). A `fn` that may answer
 * at once (a value, not a promise) is answered at once while tracing is off: the REPL's synchronous
 * inputs pay no promise turn for their span.
 */
export function inSpan<T>(name: string, attributes: SpanAttributes, fn: (span: Span) => Promise<T>, kind?: SpanKind): Promise<T>
export function inSpan<T>(name: string, attributes: SpanAttributes, fn: (span: Span) => Maybe<T>, kind?: SpanKind): Maybe<T>
export function inSpan<T>(name: string, attributes: SpanAttributes, fn: (span: Span) => Maybe<T>, kind?: SpanKind): Maybe<T> {
  // Tracing off: what the no-op tracer would do (no span, no context change), without its
  // wrapper, context and span objects: every REPL input runs in a span.
  if (!recording) {
    try {
      return fn(NOT_RECORDING)
    } catch (error) {
      return Promise.reject(error as Error)
    }
  }
  // What startActiveSpan does, without its async wrapper: that wrapper's promises (each one paying
  // the AsyncLocalStorage's promise hook) were a fifth of a span's cost (pitfall 11).
  const parent = context.active()
  const span = tracer().startSpan(name, { attributes: typeof attributes === 'function' ? attributes() : attributes, kind }, parent)
  return context.with(trace.setSpan(parent, span), endWhenSettled<T>, undefined, span, fn)
}

/** Runs `fn` and ends `span` however it ends; a failure is recorded on the span and passed on. */
function endWhenSettled<T>(span: Span, fn: (span: Span) => Maybe<T>): Promise<T> {
  let result: Maybe<T>
  try {
    result = fn(span)
  } catch (error) {
    endFailed(span, error)
    return Promise.reject(error as Error)
  }
  // Promise.resolve: the same promise, unless it is another realm's (the REPL namespace's) or a thenable.
  return Promise.resolve(result).then(
    (value) => {
      span.end()
      return value
    },
    (error: unknown) => {
      endFailed(span, error)
      throw error
    }
  )
}

/**
 * Records what `fn` threw (any value: serializeError reads errors of other realms too, and never
 * throws) and ends the span, whatever recording it does: the work's own error is what goes on.
 */
function endFailed(span: Span, error: unknown): void {
  try {
    const { name, message, stack } = serializeError(error)
    span.recordException(stack ? { name, message, stack } : { name, message })
    markFailed(span, message)
  } catch {
    // Recording is best effort; ending is not.
  } finally {
    span.end()
  }
}

/** Marks a span as failed (an error status with its message), for work that reports failure without throwing. */
export function markFailed(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message })
}

/**
 * A node span's dep events, as the resolver notes them while the deps resolve: one event per name.
 * The least that can be written per dep (its name, and two clock readings it takes anyway): the
 * event times and durations are worked out when the span is stored, outside the run's time.
 */
export interface DepEventColumns {
  readonly names: string[]
  /** performance.now() when each dep started and when it resolved, one pair after another. */
  readonly times: number[]
  /** The node the step is for: what each dep resolved for, unless `nodes` says otherwise. */
  readonly node: string
  /** Each dep's node, once one resolved for another (a node-as-dep's deps resolve under its parent's span). */
  nodes?: string[]
}

/** An attribute whose value is made when the span is stored (see addAttributeLater). */
export type LaterAttribute = readonly [key: string, make: () => AttributeValue]

/** What a span is handed to be recorded with it, beyond the API's calls (see pendingExtras). */
export interface SpanExtras {
  deps?: DepEventColumns
  later?: LaterAttribute[]
}

/**
 * Dep events and later attributes handed to spans and not yet taken by the SDK side, which takes
 * them when the span ends (sdk.ts) and records them in every copy of the span it makes, for the
 * timeline, the feed, files and the collector. Dep events: one `dep` span event each
 * (cortex.dep.name, cortex.dep.duration_ms, cortex.node.name; the time the dep resolved); not
 * Span.addEvent, 50 times for 50 deps (four objects per event), and not array attributes (the SDK
 * checks and copies every array): those were most of tracing's cost for a node with many instant
 * deps (pitfall 11). Each entry lives until its span ends, a microtask or so later: a few at most,
 * searched from the newest.
 */
const pendingExtras: Array<{ readonly span: Span; readonly extras: SpanExtras }> = []

/** The extras handed to `span` so far (a new entry if none). */
function extrasOf(span: Span): SpanExtras {
  for (let i = pendingExtras.length - 1; i >= 0; i--) if (pendingExtras[i]!.span === span) return pendingExtras[i]!.extras
  dropEnded()
  const extras: SpanExtras = {}
  pendingExtras.push({ span, extras })
  return extras
}

/** Records `columns` as dep events of `span`, which is about to end. */
export function addDepEvents(span: Span, columns: DepEventColumns): void {
  if (span.isRecording()) extrasOf(span).deps = columns
}

/**
 * Sets attribute `key` of `span`, which is about to end, to what `make` returns when the span is
 * stored (a turn of the event loop later, outside the traced code's time) rather than now: for a
 * value that costs to write and is only read from the record, such as an LM answer's JSON. `make`
 * must give the same then as now (it may not read anything that changes meanwhile).
 */
export function addAttributeLater(span: Span, key: string, make: () => AttributeValue): void {
  if (span.isRecording()) (extrasOf(span).later ??= []).push([key, make])
}

/** Drops what spans that ended unseen left behind (tracing switched off meanwhile). */
function dropEnded(): void {
  for (let i = pendingExtras.length - 1; i >= 0; i--) if (!pendingExtras[i]!.span.isRecording()) pendingExtras.splice(i, 1)
}

/** What was handed to `span` (which has ended), taken. */
export function takeExtras(span: object): SpanExtras | undefined {
  if (!pendingExtras.length) return undefined
  for (let i = pendingExtras.length - 1; i >= 0; i--) {
    const entry = pendingExtras[i]!
    if (entry.span !== span) continue
    pendingExtras.splice(i, 1)
    return entry.extras
  }
  return undefined
}

/** Whether LM prompts and answers go into spans (gen_ai.input/output.messages). On by default, in the app. */
let captureContent = true
export function setCaptureContent(on: boolean): void {
  captureContent = on
}
export function capturingContent(): boolean {
  return captureContent
}

/** Attribute keys of the GenAI semantic conventions (and ours) used across the runtime. */
export const ATTR = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  finishReasons: 'gen_ai.response.finish_reasons',
  outputType: 'gen_ai.output.type',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  graph: 'cortex.graph.name',
  run: 'cortex.run.id',
  node: 'cortex.node.name',
  step: 'cortex.step',
  dep: 'cortex.dep.name',
  depMs: 'cortex.dep.duration_ms',
  lmKind: 'cortex.lm.kind',
  evalId: 'cortex.eval.id',
  input: 'cortex.input',
  mode: 'cortex.mode'
} as const

/** What the user and the model said: in local spans by default, left out of what a collector is sent unless asked for. */
export const CONTENT_ATTRIBUTES: readonly string[] = [ATTR.inputMessages, ATTR.outputMessages, ATTR.input]
