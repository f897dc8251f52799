/**
 * A local fake of the Anthropic Messages API for tests: real HTTP on 127.0.0.1 (any free port),
 * JSON or server-sent events, as the real client (`@anthropic-ai/sdk`) expects them.
 *
 * ```ts
 * const api = await startFakeAnthropic()
 * api.reply(fakeReply.json({ a: 'x' }), fakeReply.httpError(529, 'overloaded_error', 'Overloaded'))
 * const client = new Anthropic({ apiKey: 'test-key', baseURL: api.url, maxRetries: 0 })
 * // … call the client …
 * expect(api.requests[0]!.body).toMatchObject({ model: 'm' })
 * await api.close()
 * ```
 *
 * Each request to `POST /v1/messages` takes the next queued reply (FIFO); with none left it gets
 * `defaultReply`, or a 500 naming the problem so the test fails loudly. A reply answers a
 * streaming request (`"stream": true` in the body, as `client.messages.stream()` sends) with SSE
 * and any other request with one JSON body, so one script serves both kinds of client.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A content block of a reply, in the API's shape. */
export type FakeContentBlock = { type: 'text'; text: string } | { type: 'tool_use'; id?: string; name: string; input: unknown }

/** Token usage as the API reports it. */
export interface FakeUsage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens?: number
  cache_read_input_tokens?: number
}

/** Timing shared by every reply. */
export interface FakeTiming {
  /** Wait this long before sending the response headers. */
  delayMs?: number
  /** Wait this long between SSE events (streaming) or between body chunks (JSON). */
  dribbleMs?: number
}

/** A successful Message. */
export interface FakeMessageReply extends FakeTiming {
  kind: 'message'
  content: FakeContentBlock[]
  /** Default: `tool_use` when the content has a tool_use block, else `end_turn`. */
  stopReason?: string
  /** Default: `{ input_tokens: 10, output_tokens: 5 }`. */
  usage?: FakeUsage
  /** Default: the model the request asked for. */
  model?: string
}

/** An HTTP error status with the API's error body (`{"type":"error","error":{type,message}}`). */
export interface FakeHttpErrorReply extends FakeTiming {
  kind: 'http-error'
  status: number
  errorType: string
  message: string
  /** Extra response headers, e.g. `{ 'retry-after': '7' }`. */
  headers?: Record<string, string>
}

/**
 * A stream that starts well (200, `message_start`, then `content` if any) and then carries an SSE
 * `event: error`, as the API does when it becomes overloaded mid-response. A non-streaming request
 * cannot fail mid-body, so it gets the error as an HTTP status instead (529 for `overloaded_error`,
 * else 500).
 */
export interface FakeStreamErrorReply extends FakeTiming {
  kind: 'stream-error'
  errorType: string
  message: string
  /** Content streamed (as deltas) before the error. */
  content?: FakeContentBlock[]
}

/**
 * Never finishes: sends nothing (or, with `headers`, the 200 headers and for a streaming request
 * `message_start`, then `text` as the first words of a text block, if given), and holds the
 * connection until the client closes it or the server stops.
 */
export interface FakeHangReply {
  kind: 'hang'
  headers?: boolean
  text?: string
}

/** Full control: write the response yourself. */
export type FakeHandler = (request: FakeRequest, response: ServerResponse) => void | Promise<void>

export type FakeReply = FakeMessageReply | FakeHttpErrorReply | FakeStreamErrorReply | FakeHangReply | FakeHandler

/** One request the server received. */
export interface FakeRequest {
  /** 0-based arrival order. */
  readonly index: number
  readonly method: string
  /** Path and query, e.g. `/v1/messages`. */
  readonly url: string
  /** Lower-cased header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders
  readonly rawBody: string
  /** The body parsed as JSON; undefined when empty or not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test data: let tests dig in without casts
  readonly body: any
  /**
   * Settles when the exchange is over: `completed` when the server wrote its whole response,
   * `client-closed` when the client closed the connection first (an aborted request).
   */
  readonly outcome: Promise<'completed' | 'client-closed'>
}

export interface FakeAnthropicOptions {
  /** The reply for requests that find the queue empty. Default: a 500 saying no reply was queued. */
  defaultReply?: FakeReply
  /** When set, requests must carry `authorization: Bearer <apiKey>` or `x-api-key: <apiKey>`, else 401. */
  apiKey?: string
}

export interface FakeAnthropic {
  /** The base URL to give the client (`baseURL` or `ANTHROPIC_BASE_URL`), e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** Every request received, in order (including ones answered 404 or 401). */
  readonly requests: readonly FakeRequest[]
  /** Queues replies, used in order by the next requests to `/v1/messages`. */
  reply(...replies: FakeReply[]): void
  /** Resolves with the request at `index` (0-based) once it has fully arrived. */
  waitForRequest(index?: number): Promise<FakeRequest>
  /** Stops the server, cutting any connection still open (e.g. a hanging reply). */
  close(): Promise<void>
}

/** Builders for the common replies. */
export const fakeReply = {
  /** A Message with these content blocks. */
  message(content: FakeContentBlock[], options: Omit<FakeMessageReply, 'kind' | 'content'> = {}): FakeMessageReply {
    return { kind: 'message', content, ...options }
  },
  /** A Message with one text block. */
  text(text: string, options: Omit<FakeMessageReply, 'kind' | 'content'> = {}): FakeMessageReply {
    return { kind: 'message', content: [{ type: 'text', text }], ...options }
  },
  /** A Message whose one text block is `value` as JSON (what structured output returns). */
  json(value: unknown, options: Omit<FakeMessageReply, 'kind' | 'content'> = {}): FakeMessageReply {
    return { kind: 'message', content: [{ type: 'text', text: JSON.stringify(value) }], ...options }
  },
  /** A Message with one tool_use block (stop reason `tool_use`). */
  toolUse(name: string, input: unknown, options: Omit<FakeMessageReply, 'kind' | 'content'> = {}): FakeMessageReply {
    return { kind: 'message', content: [{ type: 'tool_use', name, input }], ...options }
  },
  httpError(
    status: number,
    errorType: string,
    message: string,
    options: Omit<FakeHttpErrorReply, 'kind' | 'status' | 'errorType' | 'message'> = {}
  ): FakeHttpErrorReply {
    return { kind: 'http-error', status, errorType, message, ...options }
  },
  streamError(errorType: string, message: string, options: Omit<FakeStreamErrorReply, 'kind' | 'errorType' | 'message'> = {}): FakeStreamErrorReply {
    return { kind: 'stream-error', errorType, message, ...options }
  },
  hang(options: Omit<FakeHangReply, 'kind'> = {}): FakeHangReply {
    return { kind: 'hang', ...options }
  }
}

const sleep = (ms: number | undefined): Promise<void> => (ms && ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve())

function errorBody(errorType: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type: errorType, message } })
}

/** The blocks as the final Message carries them (tool_use blocks get ids). */
function finalContent(content: FakeContentBlock[]): FakeContentBlock[] {
  return content.map((block, i) => (block.type === 'tool_use' ? { ...block, id: block.id ?? `toolu_fake_${i}` } : block))
}

function messageJson(reply: FakeMessageReply, model: unknown, index: number): Record<string, unknown> {
  const content = finalContent(reply.content)
  return {
    id: `msg_fake_${index}`,
    type: 'message',
    role: 'assistant',
    model: reply.model ?? model ?? 'claude-fake',
    content,
    stop_reason: reply.stopReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: reply.usage ?? { input_tokens: 10, output_tokens: 5 }
  }
}

/** Splits a string in two (or leaves it whole), so deltas really arrive in pieces. */
function pieces(text: string): string[] {
  if (text.length < 2) return [text]
  const cut = Math.ceil(text.length / 2)
  return [text.slice(0, cut), text.slice(cut)]
}

/** The SSE events that stream `content` (start, deltas, stop per block). */
function contentEvents(content: FakeContentBlock[]): [string, unknown][] {
  const events: [string, unknown][] = []
  finalContent(content).forEach((block, index) => {
    if (block.type === 'text') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }])
      for (const text of pieces(block.text)) events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } }])
    } else {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } }])
      for (const partial_json of pieces(JSON.stringify(block.input)))
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }])
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }])
  })
  return events
}

function messageStart(message: Record<string, unknown>): [string, unknown] {
  const usage = message['usage'] as FakeUsage
  return [
    'message_start',
    { type: 'message_start', message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }
  ]
}

/** Starts a fake Messages API on 127.0.0.1 and a free port. */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const requests: FakeRequest[] = []
  const queue: FakeReply[] = []
  const waiters = new Map<number, ((request: FakeRequest) => void)[]>()

  async function answer(reply: FakeReply, request: FakeRequest, res: ServerResponse): Promise<void> {
    if (typeof reply === 'function') return reply(request, res)
    const streaming = request.body?.stream === true
    // An SSE event per write, so a dribbled stream really arrives event by event.
    const send = async (event: string, data: unknown, dribbleMs?: number): Promise<void> => {
      if (res.destroyed) return
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      await sleep(dribbleMs)
    }
    const sseHeaders = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_fake_${request.index}` }
    if (reply.kind === 'hang') {
      if (!reply.headers) return
      res.writeHead(200, streaming ? sseHeaders : { 'content-type': 'application/json' })
      if (!streaming) return void res.flushHeaders()
      await send('message_start', messageStart(messageJson(fakeReply.text(''), request.body?.model, request.index))[1])
      if (reply.text === undefined) return
      await send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })
      await send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: reply.text } })
      return
    }
    await sleep(reply.delayMs)
    if (res.destroyed) return
    if (reply.kind === 'http-error' || (reply.kind === 'stream-error' && !streaming)) {
      const status = reply.kind === 'http-error' ? reply.status : reply.errorType === 'overloaded_error' ? 529 : 500
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': `req_fake_${request.index}`,
        ...(reply.kind === 'http-error' ? reply.headers : {})
      })
      res.end(errorBody(reply.errorType, reply.message))
      return
    }
    if (reply.kind === 'stream-error') {
      res.writeHead(200, sseHeaders)
      const content = reply.content ?? []
      await send(...messageStart(messageJson(fakeReply.message(content), request.body?.model, request.index)), reply.dribbleMs)
      for (const [event, data] of contentEvents(content)) await send(event, data, reply.dribbleMs)
      await send('error', { type: 'error', error: { type: reply.errorType, message: reply.message } })
      res.end()
      return
    }
    const message = messageJson(reply, request.body?.model, request.index)
    if (!streaming) {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_fake_${request.index}` })
      const body = JSON.stringify(message)
      const chunks = reply.dribbleMs ? pieces(body) : [body]
      for (const chunk of chunks) {
        if (res.destroyed) return
        res.write(chunk)
        await sleep(reply.dribbleMs)
      }
      res.end()
      return
    }
    res.writeHead(200, sseHeaders)
    await send(...messageStart(message), reply.dribbleMs)
    await send('ping', { type: 'ping' }, reply.dribbleMs)
    for (const [event, data] of contentEvents(reply.content)) await send(event, data, reply.dribbleMs)
    const usage = message['usage'] as FakeUsage
    await send(
      'message_delta',
      { type: 'message_delta', delta: { stop_reason: message['stop_reason'], stop_sequence: null }, usage: { output_tokens: usage.output_tokens } },
      reply.dribbleMs
    )
    await send('message_stop', { type: 'message_stop' })
    res.end()
  }

  function authorized(headers: IncomingHttpHeaders): boolean {
    if (options.apiKey === undefined) return true
    return headers.authorization === `Bearer ${options.apiKey}` || headers['x-api-key'] === options.apiKey
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8')
      let body: unknown
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined
      } catch {
        body = undefined
      }
      const outcome = new Promise<'completed' | 'client-closed'>((resolve) => {
        res.on('close', () => resolve(res.writableFinished ? 'completed' : 'client-closed'))
      })
      const request: FakeRequest = { index: requests.length, method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawBody, body, outcome }
      requests.push(request)
      for (const resolve of waiters.get(request.index) ?? []) resolve(request)
      waiters.delete(request.index)

      let reply: FakeReply | undefined
      if (!authorized(req.headers)) reply = fakeReply.httpError(401, 'authentication_error', 'invalid x-api-key')
      else if (req.method !== 'POST' || !/^\/v1\/messages(\?|$)/.test(request.url))
        reply = fakeReply.httpError(404, 'not_found_error', `no route ${req.method} ${req.url}`)
      else reply = queue.shift() ?? options.defaultReply
      reply ??= fakeReply.httpError(500, 'api_error', `fake-anthropic: no reply queued for request #${request.index}`)
      answer(reply, request, res).catch((error: unknown) => {
        // A failing custom handler must not leave the client waiting for the test timeout.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
        res.end(errorBody('api_error', `fake-anthropic handler failed: ${String(error)}`))
      })
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(...replies) {
      queue.push(...replies)
    },
    waitForRequest(index = 0) {
      const arrived = requests[index]
      if (arrived) return Promise.resolve(arrived)
      return new Promise((resolve) => waiters.set(index, [...(waiters.get(index) ?? []), resolve]))
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}
