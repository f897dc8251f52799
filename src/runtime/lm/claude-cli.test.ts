import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { FillError, LmError, node } from '../graph'
import {
  ClaudeCliBackend,
  ClaudeCliError,
  DEFAULT_CLAUDE_CLI_MODEL,
  DEFAULT_SYSTEM_PROMPT,
  parseClaudeCliOutput,
  stripFormat,
  type ClaudeCliBackendOptions
} from './claude-cli'
import { createLm } from './index'
import type { LmRequest } from './types'
import { isGone } from '../../../test/support/process'

// The fake `claude` (test/fixtures/fake-claude/claude) is a real executable: these tests spawn it.
const FIXTURES = resolve(import.meta.dirname, '../../../test/fixtures/fake-claude')
const FAKE = join(FIXTURES, 'claude')
const scratch = mkdtempSync(join(tmpdir(), 'cortex-claude-cli-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

let files = 0
/** A fresh path for the fake's record (its pids and argv). */
const recordPath = (): string => join(scratch, `record-${files++}.json`)

interface FakeRecord {
  pid: number
  childPid?: number
  argv: string[]
  stdin: string
}

/** A backend that finds the fake `claude` on PATH, as the real one would be found. */
function backend(env: Record<string, string>, options: ClaudeCliBackendOptions = {}): ClaudeCliBackend {
  return new ClaudeCliBackend({ model: 'claude-test', ...options, env: { PATH: `${FIXTURES}${delimiter}${process.env['PATH'] ?? ''}`, ...env } })
}

function request(overrides: Partial<LmRequest> = {}): LmRequest {
  return {
    kind: 'fill',
    node: 'X',
    prompt: 'Context:\n{}\n\nX',
    schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
    signal: new AbortController().signal,
    ...overrides
  }
}

const signal = new AbortController().signal
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error
  )
}

/** Settles like `promise`, or fails the test after `ms` (so a hang fails fast, not at the test timeout). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

async function poll<T>(what: string, check: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(20)
  }
}

function readRecord(path: string): FakeRecord | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as FakeRecord) : undefined
}

/** Pids of hanging fakes; a failing test must not leave them running. */
const started: number[] = []
afterEach(() => {
  for (const pid of started.splice(0)) if (!isGone(pid)) process.kill(pid, 'SIGKILL')
})

/** Starts a hanging fake and resolves with its record once the grandchild exists too. */
async function hanging(options: ClaudeCliBackendOptions, requestSignal: AbortSignal): Promise<{ pending: Promise<unknown>; record: FakeRecord }> {
  const path = recordPath()
  const pending = rejection(backend({ FAKE_CLAUDE_MODE: 'hang', FAKE_CLAUDE_RECORD: path }, options).generate(request({ signal: requestSignal })))
  const record = await poll('the fake and its grandchild', () => {
    const r = readRecord(path)
    return r?.childPid ? r : undefined
  })
  started.push(record.pid, record.childPid!)
  expect(isGone(record.pid)).toBe(false)
  expect(isGone(record.childPid!)).toBe(false)
  return { pending, record }
}

describe('ClaudeCliBackend: a successful call', () => {
  it('the fake claude is committed executable', () => {
    expect(() => accessSync(FAKE, constants.X_OK)).not.toThrow()
  })

  it("runs claude from PATH with bae's flags and a schema without format keys", async () => {
    const Target = node('RecommendOOTD', { top: z.string().describe('the top'), inspo: z.array(z.url()), contact: z.email() })
    const path = recordPath()
    const lm = createLm(backend({ FAKE_CLAUDE_RECORD: path }))
    const filled = await lm.fill(Target, {}, 'RecommendOOTD', undefined, { signal })
    expect(filled).toEqual({ top: 'fake', inspo: ['https://example.com/fake'], contact: 'fake@example.com' })

    const { argv, stdin } = readRecord(path)!
    const schemaJson = argv[argv.indexOf('--json-schema') + 1]!
    expect(argv).toEqual([
      '-p',
      'RecommendOOTD',
      '--model',
      'claude-test',
      '--output-format',
      'json',
      '--json-schema',
      schemaJson,
      '--no-session-persistence',
      '--tools',
      '',
      '--strict-mcp-config',
      '--setting-sources',
      '',
      '--system-prompt',
      DEFAULT_SYSTEM_PROMPT
    ])
    expect(schemaJson).not.toContain('"format"')
    const schema = JSON.parse(schemaJson) as { properties: Record<string, { description?: string; items?: { description?: string } }> }
    expect(schema.properties['top']!.description).toBe('the top')
    expect(schema.properties['inspo']!.items!.description).toBe('format: uri')
    expect(schema.properties['contact']!.description).toMatch(/, format: email$/) // after the pattern toStrictSchema folded in
    expect(stdin).toBe('empty') // stdin is /dev/null: the CLI never waits for input
  })

  it('maps the structured output, usage, model and finish reason', async () => {
    const response = await backend({ FAKE_CLAUDE_OUTPUT: '{"a":"from the cli"}' }).generate(request())
    expect(response).toEqual({ output: { a: 'from the cli' }, usage: { inputTokens: 42, outputTokens: 17 }, model: 'claude-test', finishReason: 'success' })
  })

  it('takes the last result of an array of events', async () => {
    const response = await backend({ FAKE_CLAUDE_MODE: 'array', FAKE_CLAUDE_OUTPUT: '{"a":"from the array"}' }).generate(request())
    expect(response).toMatchObject({ output: { a: 'from the array' }, usage: { inputTokens: 42, outputTokens: 17 } })
  })

  it('runs an explicit executable path and passes model and system prompt', async () => {
    const path = recordPath()
    const cli = new ClaudeCliBackend({ executable: FAKE, model: 'sonnet', system: 'Be terse.', env: { FAKE_CLAUDE_RECORD: path } })
    expect((await cli.generate(request())).output).toEqual({ a: 'fake' })
    const { argv } = readRecord(path)!
    expect(argv.slice(argv.indexOf('--model'), argv.indexOf('--model') + 2)).toEqual(['--model', 'sonnet'])
    expect(argv.at(-1)).toBe('Be terse.')
    expect(new ClaudeCliBackend().model).toBe(DEFAULT_CLAUDE_CLI_MODEL)
  })
})

describe('ClaudeCliBackend: failures', () => {
  it('output that is not JSON becomes a FillError saying so', async () => {
    const X = node('X', { a: z.string() })
    const error = await rejection(createLm(backend({ FAKE_CLAUDE_MODE: 'garbage' })).fill(X, {}, 'X', undefined, { signal }))
    expect(error).toBeInstanceOf(FillError)
    expect((error as Error).message).toMatch(/not JSON: Sure! Here is what you asked for/)
  })

  it('a non-zero exit is an error carrying stderr', async () => {
    const error = (await rejection(
      backend({ FAKE_CLAUDE_MODE: 'fail', FAKE_CLAUDE_STDERR: 'Invalid API key · Please run /login' }).generate(request())
    )) as ClaudeCliError
    expect(error).toBeInstanceOf(ClaudeCliError)
    expect(error).toMatchObject({ reason: 'exit', exitCode: 3, stderr: 'fake claude: Invalid API key · Please run /login' })
    expect(error.message).toBe('the Claude CLI failed (exit code 3): fake claude: Invalid API key · Please run /login')
  })

  it('a result marked as an error is an error, and reaches a graph as an LmError', async () => {
    const X = node('X', { a: z.string() })
    const error = await rejection(createLm(backend({ FAKE_CLAUDE_MODE: 'error-result' })).fill(X, {}, 'X', undefined, { signal }))
    expect(error).toBeInstanceOf(LmError)
    expect((error as Error).message).toMatch(/claude-cli.*filling X.*error_max_structured_output_retries.*could not produce valid structured output/)
  })

  it('a missing executable says how to install or point at it', async () => {
    const error = await rejection(new ClaudeCliBackend({ env: { PATH: scratch } }).generate(request()))
    expect(error).toMatchObject({
      reason: 'spawn',
      message: expect.stringMatching(/'claude' was not found on PATH.*npm install -g @anthropic-ai\/claude-code.*executable/)
    })
  })

  it('a prompt too long for a command-line argument is a clear error', async () => {
    const error = await rejection(backend({}).generate(request({ prompt: 'x'.repeat(300_000) })))
    expect(error).toMatchObject({ reason: 'spawn', message: expect.stringMatching(/prompt \(300000 bytes\) is too long/) })
  })
})

describe('ClaudeCliBackend: timeout and abort kill the whole process group', () => {
  it('a timeout rejects, and the CLI and its grandchild are dead', async () => {
    const started = performance.now()
    const { pending, record } = await hanging({ timeoutMs: 300 }, new AbortController().signal)
    const error = await within(pending, 2000, 'the timeout')
    expect(performance.now() - started).toBeLessThan(2500)
    expect(error).toBeInstanceOf(ClaudeCliError)
    expect(error).toMatchObject({ reason: 'timeout', message: expect.stringMatching(/timed out after 0.3 s/) })
    await poll('the fake claude to die', () => (isGone(record.pid) ? true : undefined), 1000)
    await poll('its grandchild to die', () => (isGone(record.childPid!) ? true : undefined), 1000)
  })

  it('an abort rejects at once with its reason, and the CLI and its grandchild are dead', async () => {
    const controller = new AbortController()
    const { pending, record } = await hanging({ timeoutMs: 10_000 }, controller.signal)
    const started = performance.now()
    controller.abort(new Error('user pressed stop'))
    const error = await within(pending, 1000, 'the rejection')
    expect(performance.now() - started).toBeLessThan(500)
    expect((error as Error).message).toBe('user pressed stop')
    await poll('the fake claude to die', () => (isGone(record.pid) ? true : undefined), 1000)
    await poll('its grandchild to die', () => (isGone(record.childPid!) ? true : undefined), 1000)
  })

  it('an aborted signal starts nothing', async () => {
    const path = recordPath()
    const controller = new AbortController()
    controller.abort()
    expect(await rejection(backend({ FAKE_CLAUDE_RECORD: path }).generate(request({ signal: controller.signal })))).toMatchObject({ name: 'AbortError' })
    await sleep(100)
    expect(existsSync(path)).toBe(false)
  })
})

describe('stripFormat', () => {
  it('moves every format keyword into its description, in schema positions only', () => {
    const schema = {
      type: 'object',
      properties: {
        format: { type: 'string', format: 'date', description: 'a property named format' },
        links: { type: 'array', items: { type: 'string', format: 'uri' } },
        when: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
        ref: { $ref: '#/$defs/Mail' },
        example: { type: 'string', default: 'x', enum: ['x'], const: 'x' }
      },
      $defs: { Mail: { type: 'string', format: 'email', description: 'an address' } },
      additionalProperties: false
    }
    expect(stripFormat(schema)).toEqual({
      type: 'object',
      properties: {
        format: { type: 'string', description: 'a property named format, format: date' },
        links: { type: 'array', items: { type: 'string', description: 'format: uri' } },
        when: { anyOf: [{ type: 'string', description: 'format: date-time' }, { type: 'null' }] },
        ref: { $ref: '#/$defs/Mail' },
        example: { type: 'string', default: 'x', enum: ['x'], const: 'x' }
      },
      $defs: { Mail: { type: 'string', description: 'an address, format: email' } },
      additionalProperties: false
    })
    expect(schema.properties.links.items.format).toBe('uri') // the input is not modified
  })
})

describe('parseClaudeCliOutput', () => {
  it('an object without structured_output is itself the answer', () => {
    expect(parseClaudeCliOutput('{"a": 1}')).toEqual({ output: { a: 1 } })
  })

  it('an array without a result, or a result without structured_output, is an error', () => {
    expect(() => parseClaudeCliOutput('[{"type":"system"}]')).toThrow(/no result in the Claude CLI output/)
    expect(() => parseClaudeCliOutput('[{"type":"result","result":"hi"}]')).toThrow(/no structured_output/)
  })

  it('empty output is an error; other text is returned for StructuredLm to reject', () => {
    expect(() => parseClaudeCliOutput(' \n')).toThrow(/printed nothing/)
    expect(parseClaudeCliOutput('oops\n')).toEqual({ output: 'oops' })
  })
})
