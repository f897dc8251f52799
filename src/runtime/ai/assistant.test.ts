import { afterEach, describe, expect, it } from 'vitest'
import { fakeReply, startFakeAnthropic } from '../../../test/support/fake-anthropic'
import { stripAnsi } from '../../../test/support/ansi'
import { until } from '../../../test/support/until'
import { MemoryLogger } from '../../common/logger'
import type { OutputWrite } from '../../common/repl-contract'
import type { EvalResult } from '../../common/runtime-contract'
import { Runtime } from '../runtime'
import { ReadOnlyEvaluator } from './read-only-eval'

const KEY = 'sk-ant-test-0123456789abcdef'
let cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups = []
})

/** A runtime whose assistant talks to a fresh fake Messages API (real SDK, real HTTP and SSE). */
async function setup(options: { key?: string | undefined; tracing?: boolean; contextBudget?: number; idleTimeoutMs?: number } = {}) {
  const api = await startFakeAnthropic()
  const env: NodeJS.ProcessEnv = { ANTHROPIC_BASE_URL: api.url }
  if (options.key !== undefined || !('key' in options)) env['ANTHROPIC_API_KEY'] = options.key ?? KEY
  if (options.key === undefined && 'key' in options) delete env['ANTHROPIC_API_KEY']
  const runtime = new Runtime({
    host: 'in-process',
    log: new MemoryLogger(),
    output: { flushMs: 1, partialLineMs: 1 },
    tracing: { enabled: options.tracing ?? false },
    assistant: {
      env,
      maxRetries: 0,
      ...(options.contextBudget ? { contextBudget: options.contextBudget } : {}),
      ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {})
    }
  })
  const writes: OutputWrite[] = []
  runtime.output.onDidWrite((write) => writes.push(write))
  cleanups.push(
    () => api.close(),
    () => runtime.dispose()
  )
  const ai = () => writes.filter((w) => w.channel === 'ai')
  return {
    api,
    runtime,
    writes,
    /** The ai channel as it reads on screen. */
    aiText: () =>
      stripAnsi(
        ai()
          .map((w) => w.text)
          .join('')
      ),
    aiRaw: () =>
      ai()
        .map((w) => w.text)
        .join(''),
    nl: async (code: string, signal?: AbortSignal) => runtime.evaluate('nl', code, { signal }),
    js: async (code: string) => runtime.evaluate('js', code)
  }
}

function errorOf(result: EvalResult): string {
  if (result.ok) throw new Error(`expected a failure, got ok: ${result.text}`)
  return result.error.message
}

describe('the AI assistant', () => {
  it('streams the answer on the ai channel in order, before the result, and ends it with a newline, a reset and the context line', async () => {
    const { api, nl, writes, aiText, aiRaw } = await setup()
    api.reply(
      fakeReply.message(
        [
          { type: 'text', text: 'First part. ' },
          { type: 'text', text: 'Second part.' }
        ],
        { dribbleMs: 5 }
      )
    )
    let writesAtResult = -1
    const result = await nl('what is Cortex?').then((r) => ((writesAtResult = writes.length), r))
    expect(result).toMatchObject({ ok: true, text: '' }) // the answer was streamed: the result does not repeat it
    const text = aiText()
    expect(text.indexOf('First part.')).toBeGreaterThanOrEqual(0)
    expect(text.indexOf('Second part.')).toBeGreaterThan(text.indexOf('First part.'))
    expect(writes.filter((w) => w.channel === 'ai').length).toBeGreaterThan(2) // in pieces, as they arrived
    expect(writes.length).toBe(writesAtResult) // all of it before the result
    expect(text).toMatch(/First part\. Second part\.\n\[ai:1 · context [\d,]+ tokens of 200,000 · 0 tool calls · [\d.]+ s\]\n$/)
    expect(aiRaw()).toContain('Second part.\n\x1b[0m')
    expect(writes.every((w) => w.channel !== 'ai' || w.taskId === 'a1')).toBe(true)
    expect(api.requests[0]!.body).toMatchObject({ stream: true, model: expect.any(String) })
  })

  it('runs the tools the model calls, sends their results back with the call ids, and ends with the answer', async () => {
    const { api, nl, js, aiText } = await setup()
    await js('var users = [{ name: "Ada", age: 36, email: "a@x", tags: [], active: true }]')
    api.reply(
      fakeReply.message([{ type: 'tool_use', id: 'toolu_a', name: 'evaluate', input: { expression: 'users.length' } }]),
      fakeReply.message([
        { type: 'tool_use', id: 'toolu_b', name: 'inspect', input: { path: 'users[0]' } },
        { type: 'tool_use', id: 'toolu_c', name: 'list_namespace', input: {} }
      ]),
      fakeReply.text('There is one user, Ada.')
    )
    const result = await nl('how many users are there?')
    expect(result.ok).toBe(true)
    expect(api.requests).toHaveLength(3)
    const second = api.requests[1]!.body.messages as Array<{ role: string; content: unknown }>
    expect(second.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_a', content: '1' }] })
    const third = api.requests[2]!.body.messages.at(-1).content as Array<{ tool_use_id: string; content: string }>
    expect(third.map((r) => r.tool_use_id)).toEqual(['toolu_b', 'toolu_c'])
    expect(third[0]!.content).toContain('name (string): ')
    expect(third[1]!.content).toContain('users')
    const text = aiText()
    expect(text).toContain('◆ evaluate(users.length) → 1\n')
    expect(text).toContain('◆ inspect(users[0]) → 5 entries\n')
    expect(text).toContain('There is one user, Ada.')
    expect(text).toContain('· 3 tool calls ·')
    // The question names `users`: its repr is in the context.
    expect(api.requests[0]!.body.messages.at(-1).content).toContain('users (Array)')
  })

  it('stops a model that keeps calling tools after 8 calls, and says so', async () => {
    const { api, nl, aiText } = await setup()
    api.reply(...Array.from({ length: 8 }, () => fakeReply.toolUse('list_namespace', {})))
    const result = await nl('loop forever')
    expect(result.ok).toBe(true)
    expect(api.requests).toHaveLength(8)
    expect(aiText()).toContain('stopped: the model called tools 8 times without answering')
  })

  it('pitfall-08 Ctrl+C mid-stream closes the HTTP stream at once and the input comes back cancelled', async () => {
    const { api, nl, runtime, aiText } = await setup()
    // The first words, then nothing more until the client goes away.
    api.reply(fakeReply.hang({ headers: true, text: 'This answer ' }))
    const controller = new AbortController()
    const pending = nl('tell me slowly', controller.signal)
    await until(() => aiText().includes('This answer'), 5000, 'the first delta')
    controller.abort()
    const result = await pending
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(await api.requests[0]!.outcome).toBe('client-closed')
    expect(runtime.tasks.list().find((t) => t.id === 'a1')?.state).toBe('cancelled')
    expect(aiText()).not.toContain('piece by piece')
  })

  it('cancelling the AI task (tasks.cancel a1) aborts a request that hangs before any answer', async () => {
    const { api, nl, runtime } = await setup()
    api.reply(fakeReply.hang())
    const pending = nl('hang')
    await api.waitForRequest(0)
    expect(runtime.tasks.cancel('a1')).toBe(true)
    expect(await pending).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(await api.requests[0]!.outcome).toBe('client-closed')
  })

  it('shows API errors as clear messages: 400, 429, overloaded mid-stream', async () => {
    const { api, nl, aiText } = await setup()
    api.reply(
      fakeReply.httpError(400, 'invalid_request_error', 'messages: bad shape'),
      fakeReply.httpError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit'),
      fakeReply.streamError('overloaded_error', 'Overloaded', { content: [{ type: 'text', text: 'Half an ans' }] })
    )
    expect(errorOf(await nl('one'))).toMatch(/the Anthropic API rejected the request .*\[400 invalid_request_error\]: messages: bad shape/)
    expect(errorOf(await nl('two'))).toMatch(/rate limit was reached; wait and try again.*\[429 rate_limit_error\]/)
    expect(errorOf(await nl('three'))).toMatch(/the Anthropic API is overloaded; try again later .*during the response stream.*Overloaded/)
    expect(aiText()).toContain('Half an ans')
    api.reply(fakeReply.text('A long answer that', { stopReason: 'max_tokens' }))
    expect((await nl('four')).ok).toBe(true)
    expect(aiText()).toContain('A long answer that\n(the answer was cut off at 4096 tokens)\n')
  })

  it('never shows the key: a request error that echoes it is scrubbed', async () => {
    const { api, nl, js } = await setup()
    api.reply(fakeReply.httpError(401, 'authentication_error', `invalid x-api-key: ${KEY}`))
    const message = errorOf(await nl('hello'))
    expect(message).toContain('[API key]')
    expect(message).not.toContain(KEY)
    const status = await js('%ai')
    expect(status.ok && status.text).toContain('key: set from ANTHROPIC_API_KEY')
    expect(JSON.stringify(status)).not.toContain(KEY)
    const repr = await js('ai')
    expect(repr.ok && stripAnsi(repr.text)).toMatch(/^ai:1 · .+ · 0 exchanges$/)
  })

  it('without a key NL mode says exactly how to set one', async () => {
    const { api, nl } = await setup({ key: undefined })
    const message = errorOf(await nl('hello'))
    expect(message).toContain('ANTHROPIC_API_KEY')
    expect(message).toContain('File ▸ Settings…')
    expect(api.requests).toHaveLength(0)
  })

  it('takes the key from the settings, and falls back to ANTHROPIC_API_KEY when the settings forget it', async () => {
    const { api, nl, runtime, js } = await setup({ key: undefined })
    runtime.configureAssistant({ apiKey: 'sk-ant-from-settings-123456', model: 'claude-test-model' })
    api.reply(fakeReply.text('ok'))
    expect((await nl('hi')).ok).toBe(true)
    expect(api.requests[0]!.headers.authorization).toBe('Bearer sk-ant-from-settings-123456')
    expect(api.requests[0]!.body.model).toBe('claude-test-model')
    const status = await js('%ai')
    expect(status.ok && status.text).toContain('key: set from the settings')
    runtime.configureAssistant({ apiKey: null })
    expect(errorOf(await nl('again'))).toContain('ANTHROPIC_API_KEY')
  })

  it('pitfall-07 context stays bounded after 50 exchanges', async () => {
    const { api, nl } = await setup()
    const answer = 'A fairly long answer about graphs, nodes, deps and traces. '.repeat(5)
    api.reply(...Array.from({ length: 51 }, () => fakeReply.text(answer)))
    for (let i = 1; i <= 51; i++) expect((await nl(`question number ${i}: what about it?`)).ok).toBe(true)
    const fifth = api.requests[4]!.rawBody.length
    const last = api.requests[50]!.rawBody.length
    expect(last).toBeLessThanOrEqual(fifth + 50) // a few more digits in the numbered questions
    // Only the last 4 exchanges are sent: the first question is long gone.
    expect(api.requests[50]!.rawBody).not.toContain('question number 1:')
    expect(api.requests[50]!.rawBody).toContain('question number 47:')
  })

  it('warns when the context passes 80 % of the budget', async () => {
    const { api, nl, aiText } = await setup({ contextBudget: 1000 })
    // The size is the API's count of what was sent, cached parts included.
    api.reply(
      fakeReply.text('short', { usage: { input_tokens: 700, output_tokens: 5 } }),
      fakeReply.text('ok', { usage: { input_tokens: 20, cache_read_input_tokens: 790, output_tokens: 5 } })
    )
    await nl('first')
    expect(aiText()).toContain('context 700 tokens of 1,000')
    expect(aiText()).not.toContain('⚠')
    await nl('second')
    expect(aiText()).toMatch(
      /context 810 tokens of 1,000 · 0 tool calls · [\d.]+ s\]\n⚠ the AI context is large \(81 % of 1,000 tokens\): %ai new starts a fresh conversation\n$/
    )
  })

  it('puts what the question names in its context: a run summary, a graph definition', async () => {
    const { api, nl, js } = await setup()
    await js(`
      const Done = node('Done', { answer: z.string() })
      const Start = node('Start', { question: z.string() }).to(() => [Done])
      var g = graph(Start)`)
    const run = await js(`var r = await g({ question: 'hi' }, { lm: createLm(new MockBackend({ fill: { Done: { answer: 'yes' } } })) })`)
    expect(run.ok, JSON.stringify(run)).toBe(true)
    api.reply(fakeReply.text('ok'), fakeReply.text('ok'))
    await nl('why did g1 take that path through g?')
    const context = api.requests[0]!.body.messages.at(-1).content as string
    expect(context).toMatch(/2-node run g1 \(Start\): Start → Done; done in [\d.]+ s; final: /)
    expect(context).toContain('graph g (start Start):\n  Start(question: LM) → Done\n  Done(answer: LM) → end')
    await nl('what went wrong in the last run?')
    expect(api.requests[1]!.body.messages.at(-1).content).toContain('2-node run g1')
  })

  it('approvals: ask → @a1.0 yes runs the code; no tells the model it was declined; never refuses', async () => {
    const { api, nl, js, runtime, aiText } = await setup()
    api.reply(fakeReply.toolUse('run_code', { code: 'globalThis.z = 41 + 1' }), fakeReply.text('Set z.'))
    const pending = nl('set z to 42')
    await until(() => aiText().includes('answer @a1.0 yes / @a1.0 no'), 5000, 'the approval prompt')
    expect(aiText()).toContain('run_code wants to run:\n  globalThis.z = 41 + 1\n')
    expect(runtime.stats().gates).toContainEqual({ id: 'a1.0', node: 'run_code', field: 'globalThis.z = 41 + 1' })
    expect(await js('@a1.0 yes')).toMatchObject({ ok: true, text: 'a1.0 approved' })
    expect((await pending).ok).toBe(true)
    expect(runtime.evaluator.context['z']).toBe(42)
    expect(api.requests[1]!.body.messages.at(-1).content[0]).toMatchObject({ type: 'tool_result', content: '42' })
    expect(aiText()).toContain('◆ run_code → 42')

    api.reply(fakeReply.toolUse('run_code', { code: 'globalThis.w = 1' }), fakeReply.text('OK, not run.'))
    const declined = nl('set w')
    await until(() => aiText().includes('@a2.0 no'), 5000, 'the second approval prompt')
    expect(await runtime.evaluate('nl', '@a2.0 no')).toMatchObject({ ok: true, text: 'a2.0 declined' })
    expect((await declined).ok).toBe(true)
    expect(runtime.evaluator.context['w']).toBeUndefined()
    expect(api.requests[3]!.body.messages.at(-1).content[0]).toMatchObject({ is_error: true, content: 'the user declined to run this code' })

    await js('%ai tools never')
    api.reply(fakeReply.toolUse('run_code', { code: 'globalThis.v = 1' }), fakeReply.text('Cannot.'))
    expect((await nl('set v')).ok).toBe(true)
    expect(runtime.evaluator.context['v']).toBeUndefined()
    expect(aiText()).toContain('◆ run_code → refused (%ai tools never)')
    expect(runtime.stats().gates).toEqual([])
  })

  it('cancelling an AI task cancels its approval', async () => {
    const { api, nl, runtime, aiText } = await setup()
    api.reply(fakeReply.toolUse('run_code', { code: 'globalThis.q = 1' }))
    const pending = nl('set q')
    await until(() => aiText().includes('@a1.0 yes'), 5000, 'the approval prompt')
    runtime.tasks.cancel('a1')
    expect(await pending).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(runtime.stats().gates).toEqual([])
    expect(await runtime.evaluate('js', '@a1.0 yes')).toMatchObject({ ok: false, error: { message: expect.stringContaining('no approval a1.0 is waiting') } })
    expect(runtime.evaluator.context['q']).toBeUndefined()
  })

  it('conversations: @2 switches and stays there, each with its own history; ai() from code answers in the current one', async () => {
    const { api, nl, js } = await setup()
    api.reply(fakeReply.text('one'), fakeReply.text('two'), fakeReply.text('three'), fakeReply.text('four'))
    await nl('first question')
    await nl('@2 second question')
    await nl('third question')
    expect(api.requests[1]!.rawBody).not.toContain('first question')
    expect(api.requests[2]!.rawBody).toContain('second question')
    expect(api.requests[2]!.rawBody).not.toContain('first question')
    const answer = await js('await ai("fourth question")')
    expect(answer.ok && stripAnsi(answer.text)).toBe("'four'")
    expect(api.requests[3]!.rawBody).toContain('third question')
    const repr = await js('ai')
    expect(repr.ok && stripAnsi(repr.text)).toMatch(/^ai:2 · .+ · 3 exchanges$/)
    expect(await js('%ai model claude-via-magic')).toMatchObject({ ok: true, text: 'model: claude-via-magic' })
    await js('ai.model = "claude-other"')
    expect((await js('%ai new')).ok).toBe(true)
    api.reply(fakeReply.text('five'))
    await nl('fifth')
    expect(api.requests[4]!.body.model).toBe('claude-other')
    expect(api.requests[4]!.body.messages).toHaveLength(1)
  })

  it('ai.fill and ai.chooseType use the graph LM, and say so when there is none', async () => {
    const { js } = await setup({ key: undefined })
    await js(`var Pick = node('Pick', { colour: z.string() }); var Other = node('Other', { n: z.number() })`)
    const none = await js('await ai.fill(Pick, {})')
    expect(!none.ok && none.error.message).toContain('ai.fill uses the graph LM, and none is set')
    await js(`engine.setLm(createLm(new MockBackend({ fill: { Pick: { colour: 'red' } }, choose: { Pick: 'Other' } })))`)
    const filled = await js('(await ai.fill(Pick, {})).colour')
    expect(filled.ok && stripAnsi(filled.text)).toBe("'red'")
    const chosen = await js('(await ai.chooseType([Pick, Other], { mood: "numbers" })) === Other')
    expect(chosen.ok && stripAnsi(chosen.text)).toBe('true')
  })

  it('traces each Messages API call as a chat span and each tool call as an execute_tool span, under the input', async () => {
    const { api, nl, runtime } = await setup({ tracing: true })
    api.reply(fakeReply.message([{ type: 'tool_use', id: 'toolu_t', name: 'list_namespace', input: {} }]), fakeReply.text('done'))
    await nl('what is there?')
    await until(() => runtime.traces.spans().filter((s) => s.endTime).length >= 4, 5000, 'the spans')
    const spans = runtime.traces.spans()
    const input = spans.find((s) => s.name === 'repl.input' && s.attributes['cortex.mode'] === 'nl')!
    const chats = spans.filter((s) => s.name.startsWith('chat '))
    const tool = spans.find((s) => s.name === 'execute_tool list_namespace')!
    expect(chats).toHaveLength(2)
    expect(chats[0]!.parentSpanId).toBe(input.spanId)
    expect(chats[0]!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.response.finish_reasons': ['tool_use']
    })
    expect(tool.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'list_namespace', 'gen_ai.tool.call.id': 'toolu_t' })
    expect(JSON.stringify(spans)).not.toContain(KEY)
    // The messages in the GenAI `parts` shape the timeline shows as a conversation (as the graph LM's spans).
    const input2 = JSON.parse(String(chats[1]!.attributes['gen_ai.input.messages'])) as Array<{ role: string; parts: Array<Record<string, unknown>> }>
    expect(input2.map((m) => m.role)).toEqual(['user', 'assistant', 'user'])
    expect(input2[0]!.parts).toEqual([{ type: 'text', content: expect.stringContaining('what is there?') }])
    expect(input2[1]!.parts).toEqual([{ type: 'tool_call', id: 'toolu_t', name: 'list_namespace', arguments: {} }])
    expect(input2[2]!.parts).toEqual([{ type: 'tool_call_response', id: 'toolu_t', response: expect.any(String) }])
    expect(JSON.parse(String(chats[1]!.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'done' }], finish_reason: 'end_turn' }
    ])
  })

  it('an answer that starts and then stalls fails the question with a clear error after the idle timeout, and the next question works', async () => {
    const { api, nl, runtime, aiText } = await setup({ idleTimeoutMs: 300 })
    api.reply(fakeReply.hang({ headers: true, text: 'The first words ' }), fakeReply.text('fine again'))
    const result = await nl('tell me')
    expect(errorOf(result)).toBe('the Anthropic API stopped sending its answer: nothing for 0.3 s (model claude-sonnet-5-5)')
    expect(aiText()).toContain('The first words')
    expect(await api.requests[0]!.outcome).toBe('client-closed')
    expect(runtime.tasks.list().find((t) => t.id === 'a1')?.state).toBe('failed')
    expect(await nl('again')).toMatchObject({ ok: true })
    expect(aiText()).toContain('fine again')
  })
})

describe('read-only evaluate', () => {
  it('refuses side effects, stops a loop, and returns values', async () => {
    const { runtime, js } = await setup()
    await js('var x = [1, 2, 3]')
    const readOnly = new ReadOnlyEvaluator(runtime.evaluator.context, 'Cortex namespace')
    cleanups.push(() => readOnly.dispose())
    expect(readOnly.evaluate('x.length')).toEqual({ ok: true, value: 3 })
    expect(readOnly.evaluate('x.map((v) => v * 2)')).toEqual({ ok: true, value: [2, 4, 6] })
    expect(readOnly.evaluate('x.push(1)')).toMatchObject({ ok: false, error: expect.stringContaining('refused: the expression may have a side effect') })
    expect(readOnly.evaluate('globalThis.y = 1')).toMatchObject({ ok: false, error: expect.stringContaining('refused') })
    expect(readOnly.evaluate('while (true) {}', 100)).toEqual({ ok: false, error: 'stopped after 100 ms (the expression did not finish)' })
    expect(runtime.evaluator.context['x']).toEqual([1, 2, 3])
    expect(runtime.evaluator.context['y']).toBeUndefined()
    expect(readOnly.evaluate('missing + 1')).toMatchObject({ ok: false, error: expect.stringContaining('ReferenceError') })
  })
})
