import type Anthropic from '@anthropic-ai/sdk'
import type { APIError } from '@anthropic-ai/sdk'
import type * as AnthropicSdkModule from '@anthropic-ai/sdk'
import { DEFAULT_MODEL } from '../../common/assistant-settings'
import { clip } from '../../common/text'
import { DEFAULT_SYSTEM_PROMPT } from './claude-cli'
import { lazyModule } from '../lazy-module'
import type { LmBackend, LmRequest, LmResponse } from './types'

/**
 * The Anthropic SDK, loaded by the first thing that calls the API (a model call, an NL input):
 * loading it takes about 0.2 s, a quarter of the REPL's start, and many sessions never call it.
 */
export const anthropicSdk = lazyModule<typeof AnthropicSdkModule>('@anthropic-ai/sdk')

/** The model used when none is given (override with `{ model }`): the app's one default, the assistant's too; this name is kept for graph code. */
export const DEFAULT_ANTHROPIC_MODEL = DEFAULT_MODEL

/** The tool the model is made to call in `tool` mode; its input is the answer. */
export const RESPOND_TOOL = 'respond'

export interface AnthropicBackendOptions {
  /** Default {@link DEFAULT_ANTHROPIC_MODEL}. */
  model?: string
  /** Default `process.env.ANTHROPIC_API_KEY`; one of the two is required. */
  apiKey?: string
  /** Default: the SDK's (`ANTHROPIC_BASE_URL`, else https://api.anthropic.com). */
  baseURL?: string
  /** The answer's token budget. Default 8192. */
  maxTokens?: number
  /** Retries of failed requests (429, 5xx, connection errors), by the SDK with backoff. Default: the SDK's (2). */
  maxRetries?: number
  /** Per-request timeout in ms, until the answer starts (the SDK's: it does not cover the stream). Default: the SDK's (10 minutes). */
  timeoutMs?: number
  /**
   * A started answer that sends nothing for this long (ms) is given up (the SDK would wait for
   * ever: a stalled stream). Default 120 s. The SDK hides the API's pings, so only content counts.
   */
  idleTimeoutMs?: number
  /** Default {@link DEFAULT_SYSTEM_PROMPT}. */
  system?: string
  /**
   * How the JSON schema is enforced. `json_schema` (default): the API's structured outputs
   * (`output_config.format`), the answer is the text. `tool`: one forced tool call whose input
   * schema is the request's schema, the answer is the tool input (for models or gateways without
   * structured outputs).
   */
  structuredOutput?: 'json_schema' | 'tool'
}

/** A failed call to the Anthropic API, described for a person; never contains the API key. */
export class AnthropicApiError extends Error {
  override name = 'AnthropicApiError'
  constructor(
    message: string,
    /** The HTTP status; undefined for errors inside a stream, connection errors and unusable answers. */
    readonly status: number | undefined,
    /** The API's error type (`overloaded_error`, `rate_limit_error`, …), or ours (`connection_error`, `max_tokens`, …). */
    readonly type: string | undefined,
    /** Whether trying again later may succeed (rate limits, overload, server and connection errors). */
    readonly retryable: boolean,
    readonly requestId?: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }
}

const MISSING_KEY =
  'AnthropicBackend needs an Anthropic API key: set the ANTHROPIC_API_KEY environment variable before starting Cortex ' +
  "(export ANTHROPIC_API_KEY=sk-ant-…) or pass it in code: new AnthropicBackend({ apiKey: '…' })."

/** What to tell a person about each HTTP status (the API's own message follows). */
const STATUS_HINTS: Record<number, string> = {
  400: 'the Anthropic API rejected the request',
  401: 'the Anthropic API did not accept the API key (check ANTHROPIC_API_KEY)',
  403: 'the API key may not use this model or feature',
  404: 'the Anthropic API does not know this model or endpoint',
  413: 'the request is too large for the Anthropic API',
  429: 'the Anthropic API rate limit was reached; wait and try again, or run fewer calls at once',
  500: 'the Anthropic API had an internal error; try again',
  529: 'the Anthropic API is overloaded; try again later'
}

function hintFor(status: number | undefined, type: string | null): string {
  if (type === 'overloaded_error') return STATUS_HINTS[529]!
  if (type === 'rate_limit_error') return STATUS_HINTS[429]!
  if (status !== undefined && STATUS_HINTS[status]) return STATUS_HINTS[status]
  if (status !== undefined && status >= 500) return 'the Anthropic API failed; try again'
  return 'the Anthropic API returned an error'
}

/**
 * The Messages API as an {@link LmBackend}: one user message (the prompt), the schema enforced by
 * structured outputs or a forced tool call. It streams internally, so long answers work whatever
 * `maxTokens` is (the SDK refuses long non-streaming requests) and aborting `request.signal`
 * closes the connection at once.
 */
export class AnthropicBackend implements LmBackend {
  readonly provider = 'anthropic'
  readonly model: string
  // Private fields (#), not `private`: util.inspect and JSON.stringify do not show them, so
  // printing the backend in the REPL does not print the key (the SDK client holds it too).
  #client: Anthropic | undefined
  readonly #clientOptions: ConstructorParameters<typeof Anthropic>[0]
  readonly #apiKey: string
  private readonly maxTokens: number
  private readonly system: string
  private readonly mode: 'json_schema' | 'tool'
  private readonly idleTimeoutMs: number

  constructor(options: AnthropicBackendOptions = {}) {
    const apiKey = options.apiKey ?? process.env['ANTHROPIC_API_KEY']
    // Checked here, not on the first call: a graph should not run halfway and then fail on it.
    if (!apiKey) throw new Error(MISSING_KEY)
    this.#apiKey = apiKey
    this.model = options.model ?? DEFAULT_ANTHROPIC_MODEL
    this.maxTokens = options.maxTokens ?? 8192
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
    this.system = options.system ?? DEFAULT_SYSTEM_PROMPT
    this.mode = options.structuredOutput ?? 'json_schema'
    // The key is passed explicitly so the SDK looks for no other credential (profiles, tokens).
    this.#clientOptions = {
      apiKey,
      ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {})
    }
  }

  /** The SDK client, made by the first call. */
  #clientNow(): Anthropic {
    return (this.#client ??= new (anthropicSdk().default)(this.#clientOptions))
  }

  async generate(request: LmRequest): Promise<LmResponse> {
    request.signal.throwIfAborted()
    const params: Anthropic.MessageStreamParams = {
      model: this.model,
      max_tokens: this.maxTokens,
      system: this.system,
      messages: [{ role: 'user', content: request.prompt }],
      ...(this.mode === 'tool'
        ? {
            tools: [
              {
                name: RESPOND_TOOL,
                description: 'Respond with the requested data.',
                input_schema: request.schema as Anthropic.Tool.InputSchema
              }
            ],
            tool_choice: { type: 'tool', name: RESPOND_TOOL }
          }
        : { output_config: { format: { type: 'json_schema', schema: request.schema } } })
    }
    const message = await streamMessage(this.#clientNow(), params, {
      signal: request.signal,
      idleTimeoutMs: this.idleTimeoutMs,
      apiKey: this.#apiKey
    })
    return {
      output: this.outputOf(message),
      usage: {
        // All input tokens, cached or not (the OpenTelemetry GenAI convention).
        inputTokens: message.usage.input_tokens + (message.usage.cache_creation_input_tokens ?? 0) + (message.usage.cache_read_input_tokens ?? 0),
        outputTokens: message.usage.output_tokens
      },
      model: message.model,
      ...(message.stop_reason ? { finishReason: message.stop_reason } : {})
    }
  }

  /**
   * The answer: the tool input, or the text parsed as JSON. Text that is not JSON is returned as
   * it is, so StructuredLm reports it as a FillError ("not JSON") and may retry; an answer cut off
   * or refused is an error instead, since asking again the same way would not help.
   */
  private outputOf(message: Anthropic.Message): unknown {
    const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('')
    if (message.stop_reason === 'refusal')
      throw new AnthropicApiError(
        `the model (${message.model}) refused to answer${text ? `: ${this.redact(text.slice(0, 300))}` : ''}`,
        undefined,
        'refusal',
        false
      )
    const cutOff = (): AnthropicApiError =>
      new AnthropicApiError(
        `the answer of ${message.model} was cut off at maxTokens (${this.maxTokens}) before it was complete; raise maxTokens`,
        undefined,
        'max_tokens',
        false
      )
    if (this.mode === 'tool') {
      if (message.stop_reason === 'max_tokens') throw cutOff()
      const call = message.content.find((block) => block.type === 'tool_use' && block.name === RESPOND_TOOL)
      return call && call.type === 'tool_use' ? call.input : text
    }
    try {
      const value = JSON.parse(text) as unknown
      // A JSON string would be parsed a second time by StructuredLm; keep the text so it is not.
      return typeof value === 'string' ? text : value
    } catch {
      if (message.stop_reason === 'max_tokens') throw cutOff()
      return text
    }
  }

  /** The key must not leak through a message the server (or a proxy) echoed back. */
  private redact(text: string): string {
    return redactKey(text, this.#apiKey)
  }
}

/** How long a started answer may send nothing before it is given up, by default (ms). */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000

export interface StreamMessageOptions {
  /** Aborting it closes the connection; the call then rejects with the signal's reason. */
  signal: AbortSignal
  /**
   * A started answer that sends nothing for this long (ms) is given up (the SDK would wait for
   * ever: a stalled stream). The SDK hides the API's pings, so only content counts.
   */
  idleTimeoutMs: number
  /** To scrub from error messages. */
  apiKey: string | undefined
  /** Each piece of answer text as it arrives. */
  onText?: (delta: string) => void
}

/**
 * One streamed Messages API call, for every caller (the graph backend, the assistant): the final
 * message, or a cancellation (the signal's reason), or an {@link AnthropicApiError} a person can
 * act on, including for a stream that stalls.
 */
export async function streamMessage(client: Anthropic, params: Anthropic.MessageStreamParams, options: StreamMessageOptions): Promise<Anthropic.Message> {
  const { signal, idleTimeoutMs } = options
  signal.throwIfAborted()
  const stalled = new AbortController()
  let idle: ReturnType<typeof setTimeout> | undefined
  const watch = (): void => {
    clearTimeout(idle)
    idle = setTimeout(() => stalled.abort(), idleTimeoutMs)
  }
  try {
    const stream = client.messages.stream(params, { signal: AbortSignal.any([signal, stalled.signal]) })
    stream.on('connect', watch) // the answer started: from now on, silence is what times out
    stream.on('streamEvent', watch)
    if (options.onText) stream.on('text', options.onText)
    return await stream.finalMessage()
  } catch (error) {
    // A cancellation is not an API failure: reject with the caller's reason, as other backends do.
    if (signal.aborted) throw signal.reason
    if (stalled.signal.aborted)
      throw new AnthropicApiError(
        `the Anthropic API stopped sending its answer: nothing for ${idleTimeoutMs / 1000} s (model ${params.model})`,
        undefined,
        'timeout',
        true
      )
    throw describeAnthropicError(error, { model: params.model, baseURL: client.baseURL, apiKey: options.apiKey })
  } finally {
    clearTimeout(idle)
  }
}

/**
 * Longest text of one part in the assistant's GenAI message attributes: each model call sends the
 * whole conversation again (a graph LM call's content is kept whole: see structured-lm.ts).
 */
const PART_CHARS = 20_000

/**
 * Messages API messages as `gen_ai.input.messages` / `gen_ai.output.messages` (the GenAI
 * semantic conventions' `parts` shape, what the timeline shows as a conversation): text parts,
 * `tool_call` parts for tool use and `tool_call_response` parts for tool results. A user prompt
 * as plain text gives exactly what the graph LM's spans carry.
 */
export function genAiMessages(
  messages: ReadonlyArray<{ role: string; content: string | ReadonlyArray<Anthropic.ContentBlockParam | Anthropic.ContentBlock> }>,
  finishReason?: string | null
): string {
  return JSON.stringify(
    messages.map((message) => ({
      role: message.role,
      parts: typeof message.content === 'string' ? [{ type: 'text', content: clip(message.content, PART_CHARS) }] : message.content.flatMap(genAiPart),
      ...(finishReason ? { finish_reason: finishReason } : {})
    }))
  )
}

function genAiPart(block: Anthropic.ContentBlockParam | Anthropic.ContentBlock): object[] {
  switch (block.type) {
    case 'text':
      return [{ type: 'text', content: clip(block.text, PART_CHARS) }]
    case 'tool_use':
      return [{ type: 'tool_call', id: block.id, name: block.name, arguments: block.input }]
    case 'tool_result': {
      const text =
        typeof block.content === 'string'
          ? block.content
          : (block.content ?? []).map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n')
      return [{ type: 'tool_call_response', id: block.tool_use_id, response: clip(text, PART_CHARS) }]
    }
    case 'thinking':
      return [{ type: 'reasoning', content: clip(block.thinking, PART_CHARS) }]
    default:
      return [{ type: block.type }]
  }
}

/** `text` with every occurrence of `apiKey` replaced: a message the server (or a proxy) echoed back must not leak it. */
export function redactKey(text: string, apiKey: string | undefined): string {
  return apiKey ? text.split(apiKey).join('[API key]') : text
}

/**
 * A failure of an Anthropic SDK call as an {@link AnthropicApiError} a person can act on: what
 * happened (a hint per status), the API's own message, retry-after, the request id. The key never
 * appears in it (nor in the kept cause).
 */
export function describeAnthropicError(error: unknown, where: { model: string; baseURL: string; apiKey: string | undefined }): AnthropicApiError {
  const { apiKey } = where
  const redact = (text: string): string => redactKey(text, apiKey)
  const safeCause = (cause: APIError): APIError | undefined => {
    if (!apiKey) return cause
    let dump: string
    try {
      dump = `${cause.message} ${JSON.stringify(cause.error) ?? ''} ${String((cause.cause as Error | undefined)?.message ?? '')}`
    } catch {
      return undefined
    }
    return dump.includes(apiKey) ? undefined : cause
  }
  const at = `(model ${where.model})`
  const { APIConnectionError, APIConnectionTimeoutError, APIError } = anthropicSdk()
  if (error instanceof APIConnectionTimeoutError)
    return new AnthropicApiError(`the Anthropic API did not answer in time ${at}`, undefined, 'timeout', true, undefined, { cause: safeCause(error) })
  if (error instanceof APIConnectionError)
    return new AnthropicApiError(
      `could not reach the Anthropic API at ${where.baseURL} ${at}: ${redact(String((error.cause as Error | undefined)?.message ?? error.message))}`,
      undefined,
      'connection_error',
      true,
      undefined,
      { cause: safeCause(error) }
    )
  if (error instanceof APIError) {
    const status = error.status
    const type = error.type ?? undefined
    const apiMessage = error.apiMessage ?? (status === undefined ? error.message : undefined)
    const code = [status, type].filter((part) => part !== undefined).join(' ')
    const retryAfter = error.headers?.get('retry-after')
    const inStream = status === undefined ? ', during the response stream' : ''
    const retryable = type === 'overloaded_error' || type === 'rate_limit_error' || type === 'api_error' || status === 429 || (status ?? 0) >= 500
    const message =
      `${hintFor(status, error.type)} ${at}` +
      (code ? ` [${code}${inStream}]` : '') +
      (apiMessage ? `: ${apiMessage}` : '') +
      (retryAfter ? ` (retry after ${retryAfter} s)` : '') +
      (error.requestID ? ` (request ${error.requestID})` : '')
    return new AnthropicApiError(redact(message), status, type, retryable, error.requestID ?? undefined, { cause: safeCause(error) })
  }
  if (error instanceof Error) return new AnthropicApiError(redact(`the Anthropic API call failed ${at}: ${error.message}`), undefined, undefined, false)
  return new AnthropicApiError(redact(`the Anthropic API call failed ${at}: ${String(error)}`), undefined, undefined, false)
}
