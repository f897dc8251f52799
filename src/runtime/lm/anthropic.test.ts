import { inspect } from 'node:util'
import Anthropic from '@anthropic-ai/sdk'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { fakeReply, startFakeAnthropic, type FakeAnthropic } from '../../../test/support/fake-anthropic'
import { FillError, LmError, node } from '../graph'
import { AnthropicApiError, AnthropicBackend, DEFAULT_ANTHROPIC_MODEL, genAiMessages, RESPOND_TOOL, type AnthropicBackendOptions } from './anthropic'
import { DEFAULT_SYSTEM_PROMPT } from './claude-cli'
import { createLm } from './index'
import { inputMessages } from './structured-lm'
import type { LmRequest } from './types'

// Everything below goes through the real SDK over real HTTP to a local fake of the Messages API.
const KEY = 'sk-ant-test-0123456789-secret'
const SCHEMA = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false }

let api: FakeAnthropic
beforeAll(async () => {
  api = await startFakeAnthropic({ apiKey: KEY })
})
afterAll(() => api.close())
afterEach(() => vi.unstubAllEnvs())

function backend(options: AnthropicBackendOptions = {}): AnthropicBackend {
  return new AnthropicBackend({ apiKey: KEY, baseURL: api.url, maxRetries: 0, model: 'claude-test', ...options })
}

function request(overrides: Partial<LmRequest> = {}): LmRequest {
  return { kind: 'fill', node: 'X', prompt: 'Context:\n{}\n\nX', schema: SCHEMA, signal: new AbortController().signal, ...overrides }
}

/** The request the fake received for the next call (the server is shared, so count from here). */
function nextIndex(): number {
  return api.requests.length
}

/** Everything an error exposes: message, stack, fields and causes. */
function everything(error: unknown): string {
  return `${String(error)} ${inspect(error, { depth: 10 })} ${JSON.stringify(error)}`
}

/** Settles like `promise`, or fails the test after `ms` (so a hang fails fast, not at the test timeout). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error
  )
}

describe('AnthropicBackend: the request', () => {
  it('sends the prompt, the schema as structured output, the model, system prompt and key', async () => {
    const at = nextIndex()
    api.reply(fakeReply.json({ a: 'yes' }))
    await backend({ maxTokens: 1234 }).generate(request({ prompt: 'Input data:\n{"q": 1}\n\nAnswer' }))
    const sent = api.requests[at]!
    expect(sent.method).toBe('POST')
    expect(sent.url).toBe('/v1/messages')
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(sent.body).toMatchObject({
      model: 'claude-test',
      max_tokens: 1234,
      stream: true,
      system: DEFAULT_SYSTEM_PROMPT,
      messages: [{ role: 'user', content: 'Input data:\n{"q": 1}\n\nAnswer' }],
      output_config: { format: { type: 'json_schema', schema: SCHEMA } }
    })
    expect(sent.body.tools).toBeUndefined()
  })

  it('uses the default model and the given system prompt', async () => {
    const at = nextIndex()
    api.reply(fakeReply.json({ a: 'x' }))
    const lm = new AnthropicBackend({ apiKey: KEY, baseURL: api.url, maxRetries: 0, system: 'Be terse.' })
    expect(lm.model).toBe(DEFAULT_ANTHROPIC_MODEL)
    await lm.generate(request())
    expect(api.requests[at]!.body).toMatchObject({ model: DEFAULT_ANTHROPIC_MODEL, system: 'Be terse.' })
  })

  it('in tool mode forces one call of the respond tool whose input schema is the request schema', async () => {
    const at = nextIndex()
    api.reply(fakeReply.toolUse(RESPOND_TOOL, { a: 'from the tool' }))
    const response = await backend({ structuredOutput: 'tool' }).generate(request())
    expect(api.requests[at]!.body).toMatchObject({
      tools: [{ name: RESPOND_TOOL, input_schema: SCHEMA }],
      tool_choice: { type: 'tool', name: RESPOND_TOOL }
    })
    expect(api.requests[at]!.body.output_config).toBeUndefined()
    expect(response).toMatchObject({ output: { a: 'from the tool' }, finishReason: 'tool_use' })
  })

  it('reads the key and base URL from ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', KEY)
    vi.stubEnv('ANTHROPIC_BASE_URL', api.url)
    const at = nextIndex()
    api.reply(fakeReply.json({ a: 'env' }))
    expect((await new AnthropicBackend({ maxRetries: 0 }).generate(request())).output).toEqual({ a: 'env' })
    expect(api.requests[at]!.headers.authorization).toBe(`Bearer ${KEY}`)
  })
})

describe('AnthropicBackend: the response', () => {
  it('maps output, usage (cached input included), model and stop reason', async () => {
    api.reply(
      fakeReply.json(
        { a: 'filled' },
        { model: 'claude-test-20990101', usage: { input_tokens: 11, output_tokens: 7, cache_read_input_tokens: 3, cache_creation_input_tokens: 2 } }
      )
    )
    expect(await backend().generate(request())).toEqual({
      output: { a: 'filled' },
      usage: { inputTokens: 16, outputTokens: 7 },
      model: 'claude-test-20990101',
      finishReason: 'end_turn'
    })
  })

  it('assembles an answer dribbled event by event', async () => {
    api.reply(
      fakeReply.message(
        [
          { type: 'text', text: '{"a": "slow' },
          { type: 'text', text: 'ly"}' }
        ],
        { dribbleMs: 15 }
      )
    )
    expect((await backend().generate(request())).output).toEqual({ a: 'slowly' })
  })

  it('returns text that is not JSON as it is, which StructuredLm turns into a FillError', async () => {
    const X = node('X', { a: z.string() })
    api.reply(fakeReply.text('Sure! Here is your data: a = 1'))
    const error = await rejection(createLm(backend()).fill(X, {}, 'X', undefined, { signal: new AbortController().signal }))
    expect(error).toBeInstanceOf(FillError)
    expect((error as FillError).message).toMatch(/not JSON: Sure! Here is your data/)
  })

  it('fills a node through createLm', async () => {
    const X = node('X', { a: z.string() })
    api.reply(fakeReply.json({ a: 'hello' }))
    const lm = createLm(backend())
    expect(await lm.fill(X, {}, 'X', undefined, { signal: new AbortController().signal })).toEqual({ a: 'hello' })
    expect(lm.usage).toMatchObject({ calls: 1, inputTokens: 10, outputTokens: 5 })
  })

  it('reports an answer cut off at maxTokens instead of a confusing parse failure', async () => {
    api.reply(fakeReply.text('{"a": "the answer went on and o', { stopReason: 'max_tokens' }))
    const error = await rejection(backend({ maxTokens: 50 }).generate(request()))
    expect(error).toBeInstanceOf(AnthropicApiError)
    expect((error as Error).message).toMatch(/cut off at maxTokens \(50\).*raise maxTokens/)
  })

  it('reports a refusal', async () => {
    api.reply(fakeReply.text('I cannot help with that.', { stopReason: 'refusal' }))
    expect(await rejection(backend().generate(request()))).toMatchObject({ type: 'refusal', message: expect.stringMatching(/refused.*I cannot help/) })
  })
})

describe('AnthropicBackend: cancellation', () => {
  it('aborting while the server has not answered closes the connection and rejects at once', async () => {
    const at = nextIndex()
    api.reply(fakeReply.hang())
    const controller = new AbortController()
    const pending = backend().generate(request({ signal: controller.signal }))
    const sent = await api.waitForRequest(at)
    const started = performance.now()
    controller.abort(new Error('user pressed stop'))
    const error = await within(rejection(pending), 1000, 'the rejection')
    expect(performance.now() - started).toBeLessThan(500)
    expect((error as Error).message).toBe('user pressed stop') // the caller's reason, not an SDK error
    expect(await within(sent.outcome, 1000, 'the connection close')).toBe('client-closed')
  })

  it('aborting in the middle of a stream closes the connection too', async () => {
    const at = nextIndex()
    api.reply(fakeReply.hang({ headers: true }))
    const controller = new AbortController()
    const pending = backend().generate(request({ signal: controller.signal }))
    const sent = await api.waitForRequest(at)
    await new Promise((resolve) => setTimeout(resolve, 50)) // let message_start arrive
    controller.abort()
    expect(await within(rejection(pending), 1000, 'the rejection')).toMatchObject({ name: 'AbortError' })
    expect(await within(sent.outcome, 1000, 'the connection close')).toBe('client-closed')
  })

  it('an aborted signal sends nothing', async () => {
    const at = nextIndex()
    const controller = new AbortController()
    controller.abort()
    expect(await rejection(backend().generate(request({ signal: controller.signal })))).toMatchObject({ name: 'AbortError' })
    expect(api.requests.length).toBe(at)
  })
})

describe('AnthropicBackend: a failing or slow server', () => {
  it('a 500 is retried by the SDK, and the retry answers', async () => {
    const at = nextIndex()
    api.reply(fakeReply.httpError(500, 'api_error', 'Internal server error'), fakeReply.json({ a: 'after the retry' }))
    const answer = await within(backend({ maxRetries: 1 }).generate(request()), 10_000, 'the answer')
    expect(answer.output).toEqual({ a: 'after the retry' })
    expect(api.requests.length - at).toBe(2)
  })

  it('a 500 past the retries fails with a clear, retryable error', async () => {
    api.reply(fakeReply.httpError(500, 'api_error', 'Internal server error'))
    const error = (await rejection(backend().generate(request()))) as AnthropicApiError
    expect(error).toMatchObject({ status: 500, type: 'api_error', retryable: true })
    expect(error.message).toContain('Internal server error')
  })

  it('a server that never answers times out (the request timeout) and the connection is closed', async () => {
    const at = nextIndex()
    api.reply(fakeReply.hang())
    const pending = backend({ timeoutMs: 300 }).generate(request())
    const sent = await api.waitForRequest(at)
    const error = await within(rejection(pending), 5000, 'the timeout')
    expect(error).toMatchObject({ type: 'timeout', retryable: true, message: 'the Anthropic API did not answer in time (model claude-test)' })
    expect(await within(sent.outcome, 1000, 'the connection close')).toBe('client-closed')
  })

  it('an answer that starts and then stalls is given up after the idle timeout (the SDK alone would wait for ever)', async () => {
    const at = nextIndex()
    api.reply(fakeReply.hang({ headers: true }))
    const pending = backend({ idleTimeoutMs: 300 }).generate(request())
    const sent = await api.waitForRequest(at)
    const error = await within(rejection(pending), 5000, 'the idle timeout')
    expect(error).toMatchObject({
      type: 'timeout',
      retryable: true,
      message: 'the Anthropic API stopped sending its answer: nothing for 0.3 s (model claude-test)'
    })
    expect(await within(sent.outcome, 1000, 'the connection close')).toBe('client-closed')
  })

  it('an answer dribbled slowly, longer in all than the idle timeout, arrives whole: only silence times out', async () => {
    api.reply(fakeReply.json({ a: 'slow but steady '.repeat(8) }, { dribbleMs: 150 }))
    const started = performance.now()
    const answer = await within(backend({ idleTimeoutMs: 1000 }).generate(request()), 30_000, 'the answer')
    expect(answer.output).toEqual({ a: 'slow but steady '.repeat(8) })
    // A lower bound set by the server's pauses (a busy machine only makes it longer).
    expect(performance.now() - started).toBeGreaterThan(1000)
  })

  it('a stalled answer fails the graph run with the node named, and the next call works', async () => {
    api.reply(fakeReply.hang({ headers: true }))
    const Ask = node('Ask', { a: z.string() })
    const lm = createLm(backend({ idleTimeoutMs: 300 }))
    const error = await within(rejection(lm.fill(Ask, {}, 'Ask', undefined, { signal: new AbortController().signal })), 10_000, 'the failure')
    expect(error).toBeInstanceOf(LmError)
    expect((error as Error).message).toMatch(/anthropic.*filling Ask.*stopped sending its answer/)
    api.reply(fakeReply.json({ a: 'fine again' }))
    expect((await backend().generate(request())).output).toEqual({ a: 'fine again' })
  })
})

describe('AnthropicBackend: errors', () => {
  it('a 400 names the rejection and the API message', async () => {
    api.reply(fakeReply.httpError(400, 'invalid_request_error', 'output_config.format.schema: unsupported keyword'))
    const error = (await rejection(backend().generate(request()))) as AnthropicApiError
    expect(error).toBeInstanceOf(AnthropicApiError)
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', retryable: false })
    expect(error.message).toMatch(/rejected the request \(model claude-test\) \[400 invalid_request_error\]: output_config.format.schema: unsupported keyword/)
  })

  it('a 429 says to wait, with the retry-after delay', async () => {
    api.reply(fakeReply.httpError(429, 'rate_limit_error', 'Number of requests exceeded', { headers: { 'retry-after': '7' } }))
    const error = (await rejection(backend().generate(request()))) as AnthropicApiError
    expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', retryable: true })
    expect(error.message).toMatch(/rate limit was reached.*\[429 rate_limit_error\]: Number of requests exceeded \(retry after 7 s\)/)
  })

  it('a 529 says the API is overloaded', async () => {
    api.reply(fakeReply.httpError(529, 'overloaded_error', 'Overloaded'))
    const error = (await rejection(backend().generate(request()))) as AnthropicApiError
    expect(error).toMatchObject({ status: 529, type: 'overloaded_error', retryable: true })
    expect(error.message).toMatch(/overloaded; try again later.*\[529 overloaded_error\]: Overloaded/)
  })

  it('an overloaded error in the middle of the stream says so', async () => {
    api.reply(fakeReply.streamError('overloaded_error', 'Overloaded', { content: [{ type: 'text', text: '{"a": "half' }] }))
    const error = (await rejection(backend().generate(request()))) as AnthropicApiError
    expect(error).toMatchObject({ status: undefined, type: 'overloaded_error', retryable: true })
    expect(error.message).toMatch(/overloaded.*\[overloaded_error, during the response stream\]: Overloaded/)
  })

  it('a failure reaches a graph as an LmError naming the node', async () => {
    const X = node('X', { a: z.string() })
    api.reply(fakeReply.httpError(529, 'overloaded_error', 'Overloaded'))
    const error = await rejection(createLm(backend()).fill(X, {}, 'X', undefined, { signal: new AbortController().signal }))
    expect(error).toBeInstanceOf(LmError)
    expect((error as Error).message).toMatch(/anthropic.*filling X.*overloaded/)
  })

  it('an unreachable server is a connection error naming the URL', async () => {
    const gone = await startFakeAnthropic()
    await gone.close()
    const error = (await rejection(backend({ baseURL: gone.url }).generate(request()))) as AnthropicApiError
    expect(error).toMatchObject({ type: 'connection_error', retryable: true })
    expect(error.message).toContain(`could not reach the Anthropic API at ${gone.url}`)
  })

  it('never shows the API key, even when the server echoes it back', async () => {
    const errors: unknown[] = []
    api.reply(
      fakeReply.httpError(401, 'authentication_error', `invalid x-api-key ${KEY}`),
      fakeReply.httpError(400, 'invalid_request_error', 'nope'),
      fakeReply.streamError('overloaded_error', `Overloaded for ${KEY}`)
    )
    for (let i = 0; i < 3; i++) errors.push(await rejection(backend().generate(request())))
    errors.push(await rejection(backend({ baseURL: 'http://127.0.0.1:1' }).generate(request())))
    expect(errors[0]).toMatchObject({ status: 401, message: expect.stringMatching(/did not accept the API key.*invalid x-api-key \[API key\]/) })
    for (const error of errors) expect(everything(error)).not.toContain(KEY)
  })

  it('does not show the key when the backend itself is printed', () => {
    const lm = backend()
    expect(`${inspect(lm, { depth: 10, showHidden: true })} ${JSON.stringify(lm)}`).not.toContain(KEY)
  })

  it('without a key says how to set it', () => {
    vi.stubEnv('ANTHROPIC_API_KEY', undefined)
    expect(() => new AnthropicBackend()).toThrow(/needs an Anthropic API key: set the ANTHROPIC_API_KEY environment variable.*new AnthropicBackend\(\{ apiKey/)
    vi.stubEnv('ANTHROPIC_API_KEY', '')
    expect(() => new AnthropicBackend({ baseURL: api.url })).toThrow(/ANTHROPIC_API_KEY/)
  })
})

describe('the fake Messages API (test/support/fake-anthropic.ts) with the plain SDK', () => {
  it('answers non-streaming requests with one JSON body, dribbled or not', async () => {
    const client = new Anthropic({ apiKey: KEY, baseURL: api.url, maxRetries: 0 })
    api.reply(fakeReply.toolUse('get_weather', { city: 'Paris' }, { dribbleMs: 10 }), fakeReply.text('hi'))
    const params = { model: 'claude-test', max_tokens: 10, messages: [{ role: 'user' as const, content: 'x' }] }
    const first = await client.messages.create(params)
    expect(first).toMatchObject({
      model: 'claude-test',
      stop_reason: 'tool_use',
      content: [{ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } }]
    })
    expect((await client.messages.create(params)).content).toEqual([{ type: 'text', text: 'hi' }])
  })

  it('refuses a wrong key and unknown routes, and says when no reply was queued', async () => {
    const params = { model: 'claude-test', max_tokens: 10, messages: [{ role: 'user' as const, content: 'x' }] }
    const wrongKey = new Anthropic({ apiKey: 'wrong', baseURL: api.url, maxRetries: 0 })
    expect(await rejection(wrongKey.messages.create(params))).toMatchObject({ status: 401 })
    const client = new Anthropic({ apiKey: KEY, baseURL: api.url, maxRetries: 0 })
    expect(await rejection(client.models.list())).toMatchObject({ status: 404 })
    expect(await rejection(client.messages.create(params))).toMatchObject({ status: 500, message: expect.stringMatching(/no reply queued/) })
  })
})

describe('genAiMessages', () => {
  it("gives a plain prompt exactly the graph LM's gen_ai.input.messages, and cuts a huge text part without breaking the JSON", () => {
    expect(genAiMessages([{ role: 'user', content: 'what should I wear?' }])).toBe(inputMessages('what should I wear?'))
    const parsed = JSON.parse(genAiMessages([{ role: 'user', content: 'x'.repeat(50_000) }])) as Array<{ parts: Array<{ content: string }> }>
    expect(parsed[0]!.parts[0]!.content).toMatch(/^x{20000}… \(30000 more characters\)$/)
  })
})
