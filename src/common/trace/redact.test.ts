import { describe, expect, it } from 'vitest'
import { SAMPLE_SPANS, TRACE_A } from '../../../test/fixtures/traces/sample-spans'
import type { AttributeValue, SpanDto } from '../trace-contract'
import { parseTraceFile, serializeTraceFile } from './detect'
import { isSecretKey, REDACTED, redactSpans, redactText } from './redact'

const ANTHROPIC_KEY = 'sk-ant-api03-Xq7vR2mK9pL4nW8sT1yB6cD3fG5hJ0kZ-aE2iO4uY6tR8eW0qA_bN1mV3cX5zL7kJ9hG2fD4sA6pO8iU-AAAA'
const NESTED_ANTHROPIC_KEY = 'sk-ant-api03-nested0secret0in0json0content0000000000000000'
const OPENAI_KEY = 'sk-proj-4hT9xQ2wE7rY1uI5oP3aS8dF6gH0jK'
const GITHUB_TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE'
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'

/** Every secret planted below: none may survive redaction, anywhere in the written file. */
const SECRETS = [
  'Bearer abc',
  ANTHROPIC_KEY,
  NESTED_ANTHROPIC_KEY,
  OPENAI_KEY,
  GITHUB_TOKEN,
  AWS_KEY,
  JWT,
  'hunter2-env-value',
  'x-api-key-header-value',
  'nested-json-api-key-value',
  'pg-pass-123',
  'query-secret-9',
  'cli-token-777',
  'cookie-secret-5',
  'link-token-value',
  'nested-kv-password',
  'resource-openai-key',
  'Zm9vOmJhcg=='
]

const messages = JSON.stringify([
  { role: 'user', parts: [{ type: 'text', content: `Use my key ${NESTED_ANTHROPIC_KEY} and tell me what to wear.` }] },
  // JSON inside a JSON string (a tool call's arguments): the key rule reaches in there too.
  { role: 'assistant', parts: [{ type: 'tool_call', name: 'weather', arguments: JSON.stringify({ city: 'Oslo', api_key: 'nested-json-api-key-value' }) }] }
])

const ordinary = {
  'gen_ai.request.model': 'claude-sonnet-4',
  'gen_ai.usage.input_tokens': 1834,
  'gen_ai.usage.output_tokens': 211,
  'gen_ai.request.max_tokens': 1024,
  'llm.token_count.total': 2045,
  'gen_ai.token.type': 'input',
  'cortex.lm.request_key': '9f86d081884c7d659a2feaa0c55ad015',
  'http.request.method': 'POST',
  'url.path': '/v1/messages',
  'cortex.node.name': 'pick_outfit',
  note: 'The bearer of this letter knows the primary key: id. Tokens: 3.',
  'skill.level': 'sk-1 (beginner)',
  'empty.secret.value': null
}

const leaky: SpanDto = {
  traceId: TRACE_A,
  spanId: '1111111111111111',
  name: `call with ${OPENAI_KEY}`,
  kind: 'client',
  startTime: '1752000000000000000',
  endTime: '1752000001000000000',
  attributes: {
    ...ordinary,
    'http.request.header.authorization': ['Bearer abc'],
    'http.request.header.x-api-key': ['x-api-key-header-value'],
    'anthropic.api_key': ANTHROPIC_KEY,
    'process.env.MY_SECRET': 'hunter2-env-value',
    'gen_ai.input.messages': messages,
    'db.connection_string': 'postgres://app:pg-pass-123@db.internal:5432/app',
    'url.full': 'https://api.example.com/v1/items?api_key=query-secret-9&page=2',
    'process.command_args': ['node', 'app.js', '--token', 'cli-token-777', '--verbose'],
    'log.text': `deploy used ${AWS_KEY} and ${GITHUB_TOKEN}; curl -H "Authorization: Basic Zm9vOmJhcg==" https://x`,
    config: { model: 'claude', limits: { password: 'nested-kv-password', retries: 3 } }
  },
  events: [{ name: 'session', time: '1752000000500000000', attributes: { cookie: 'session=cookie-secret-5', 'session.jwt.value': `token ${JWT} ok` } }],
  links: [{ traceId: TRACE_A, spanId: '2222222222222222', attributes: { 'auth.token': 'link-token-value', 'link.kind': 'retry' } }],
  status: { code: 'error', message: `401: invalid key ${OPENAI_KEY}` },
  resource: { 'service.name': 'cortex', 'process.env.OPENAI_API_KEY': 'resource-openai-key' },
  scope: { name: 'cortex' }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item)
    Object.freeze(value)
  }
  return value
}

describe('redactSpans', () => {
  it('leaves no planted secret anywhere in a written file, in either format', () => {
    const spans = [leaky, ...SAMPLE_SPANS]
    for (const format of ['otlp-json', 'otlp-jsonl'] as const) {
      const before = serializeTraceFile(spans, format)
      // The test can fail: every secret is in the unredacted file.
      for (const secret of SECRETS) expect(before, secret).toContain(secret)
      const text = serializeTraceFile(redactSpans(spans), format)
      for (const secret of SECRETS) expect(text, secret).not.toContain(secret)
      expect(text).toContain(REDACTED)
    }
  })

  it('replaces the whole value of a secret key, and secrets inside text in place', () => {
    const [span] = redactSpans([leaky])
    const a = span!.attributes
    expect(a['http.request.header.authorization']).toBe(REDACTED)
    expect(a['http.request.header.x-api-key']).toBe(REDACTED)
    expect(a['anthropic.api_key']).toBe(REDACTED)
    expect(a['process.env.MY_SECRET']).toBe(REDACTED)
    expect(a['db.connection_string']).toBe(`postgres://app:${REDACTED}@db.internal:5432/app`)
    expect(a['url.full']).toBe(`https://api.example.com/v1/items?api_key=${REDACTED}&page=2`)
    expect(a['process.command_args']).toEqual(['node', 'app.js', '--token', REDACTED, '--verbose'])
    expect(a['log.text']).toBe(`deploy used ${REDACTED} and ${REDACTED}; curl -H "Authorization: Basic ${REDACTED}" https://x`)
    expect(a['config']).toEqual({ model: 'claude', limits: { password: REDACTED, retries: 3 } })
    expect(span!.name).toBe(`call with ${REDACTED}`)
    expect(span!.status).toEqual({ code: 'error', message: `401: invalid key ${REDACTED}` })
    expect(span!.events[0]!.attributes).toEqual({ cookie: REDACTED, 'session.jwt.value': `token ${REDACTED} ok` })
    expect(span!.links[0]!.attributes).toEqual({ 'auth.token': REDACTED, 'link.kind': 'retry' })
    expect(span!.resource).toEqual({ 'service.name': 'cortex', 'process.env.OPENAI_API_KEY': REDACTED })
    // The message contents stay JSON, with only the secrets changed.
    const parsed = JSON.parse(a['gen_ai.input.messages'] as string)
    expect(parsed[0].parts[0].content).toBe(`Use my key ${REDACTED} and tell me what to wear.`)
    expect(JSON.parse(parsed[1].parts[0].arguments)).toEqual({ city: 'Oslo', api_key: REDACTED })
  })

  it('keeps ordinary values exactly, token counts and the replay request key included', () => {
    const [span] = redactSpans([leaky])
    expect(span!.attributes).toMatchObject(ordinary)
    expect(redactSpans(SAMPLE_SPANS)).toStrictEqual(SAMPLE_SPANS)
  })

  it('returns new objects and leaves its input alone', () => {
    const input = deepFreeze(structuredClone(leaky))
    const [span] = redactSpans([input])
    expect(input).toStrictEqual(leaky)
    expect(span).not.toBe(input)
    expect(span!.attributes).not.toBe(input.attributes)
    expect(span!.resource).not.toBe(input.resource)
    expect(span!.events[0]).not.toBe(input.events[0])
  })

  it('redacts a resource shared by many spans once, and the copies share it too', () => {
    const [a, b] = redactSpans([leaky, { ...leaky, spanId: '3333333333333333' }])
    expect(a!.resource).toBe(b!.resource)
  })

  it('takes extra patterns (global or not), extra secret keys, and keys to keep', () => {
    const span: SpanDto = { ...leaky, attributes: { ticket: 'see INTERNAL-123456 and INTERNAL-654321', 'my.pin': 1234, 'vault.api_key': 'kept-on-purpose' } }
    const [redacted] = redactSpans([span], { extraPatterns: [/INTERNAL-\d{6}/], extraKeys: [/pin$/], keepKeys: ['vault.api_key'] })
    expect(redacted!.attributes).toEqual({ ticket: `see ${REDACTED} and ${REDACTED}`, 'my.pin': REDACTED, 'vault.api_key': 'kept-on-purpose' })
  })

  it('survives a redacted file being read back', () => {
    const text = serializeTraceFile(redactSpans([leaky]), 'otlp-json')
    expect(parseTraceFile(text).spans[0]!.attributes['anthropic.api_key']).toBe(REDACTED)
  })
})

describe('isSecretKey', () => {
  it.each([
    'anthropic.api_key',
    'x-api-key',
    'http.request.header.x-api-key',
    'apiKey',
    'OPENAI_APIKEY',
    'process.env.MY_SECRET',
    'client_secret',
    'db.password',
    'PASSWD',
    'http.request.header.authorization',
    'http.request.header.cookie',
    'set-cookie',
    'aws.credentials',
    'ssh.private_key',
    'signing.key',
    'AWS_ACCESS_KEY',
    'accessKey',
    'csrf_token',
    'auth.token',
    'refresh-token'
  ])('%s is secret', (key) => {
    expect(isSecretKey(key)).toBe(true)
  })

  it.each([
    'gen_ai.usage.input_tokens',
    'gen_ai.request.max_tokens',
    'llm.token_count.prompt',
    'gen_ai.token.type',
    'tokenizer',
    'cortex.lm.request_key',
    'aws.s3.key',
    'monkey',
    'keyboard.layout',
    'http.request.method',
    'service.name'
  ])('%s is not secret', (key) => {
    expect(isSecretKey(key)).toBe(false)
  })
})

describe('redactText', () => {
  it.each([
    ['Authorization: Bearer abc.def-ghi', `Authorization: Bearer ${REDACTED}`],
    ['authorization=bearer 9f8e7d6c5b4a3f2e1d0c', `authorization=bearer ${REDACTED}`],
    ['export OPENAI_API_KEY=sk-live-value && run', `export OPENAI_API_KEY=${REDACTED} && run`],
    ['config: password=hunter2 user=bob', `config: password=${REDACTED} user=bob`],
    ['app --verbose --api-key s3cr3t --port 80', `app --verbose --api-key ${REDACTED} --port 80`],
    ['app --client-secret=s3cr3t', `app --client-secret=${REDACTED}`],
    ['password: "quoted value"', `password: "${REDACTED}"`],
    ['body {"user": "bob", "password": "pw1", "n": 2}', `body {"user": "bob", "password": "${REDACTED}", "n": 2}`],
    ['truncated [{\\"token\\": \\"tk-1\\", \\"x\\": 1', `truncated [{\\"token\\": \\"${REDACTED}\\", \\"x\\": 1`],
    [`${ANTHROPIC_KEY}`, REDACTED],
    ['short sk-ant-admin01-abc key', `short ${REDACTED} key`],
    [`key=${AWS_KEY}.`, `key=${REDACTED}.`],
    ['xoxb-1234567890-abcdefghij', REDACTED],
    ['AIzaSyA-1234567890abcdefghijklmnopqrstu', REDACTED],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\nrest', `${REDACTED}\nrest`],
    ['redis://:only-password@cache:6379/0', `redis://:${REDACTED}@cache:6379/0`],
    // Each word a secret key has in it (the quick test for whether a text needs the patterns at all).
    ['Cookie: sid=abc123', `Cookie: ${REDACTED}`],
    ['const c = { credential: "c-123" }', `const c = { credential: "${REDACTED}" }`],
    ['passwd: p-456', `passwd: ${REDACTED}`],
    ['accessKey=AK1 private_key=PK2 CLIENT_SECRET=CS3', `accessKey=${REDACTED} private_key=${REDACTED} CLIENT_SECRET=${REDACTED}`],
    // Ordinary text stays.
    ['the bearer of this letter', 'the bearer of this letter'],
    ['risk-assessment-framework-for-2024-q3', 'risk-assessment-framework-for-2024-q3'],
    ['https://example.com/path?page=2&sort=asc', 'https://example.com/path?page=2&sort=asc'],
    ['tokens: 1834, input_tokens=12', 'tokens: 1834, input_tokens=12'],
    ['const x = i >= 0 ? { a: 1 } : [-1]', 'const x = i >= 0 ? { a: 1 } : [-1]']
  ])('%j', (text, expected) => {
    expect(redactText(text)).toBe(expected)
  })

  it("redacts the value of a caller's own secret key in text, whatever word it is", () => {
    expect(redactText('pin=1234 and --otp 987654', { extraKeys: [/^(?:pin|otp)$/] })).toBe(`pin=${REDACTED} and --otp ${REDACTED}`)
  })

  it('redacts JSON text as data: any value of a secret key, at any depth, and the text stays JSON', () => {
    const text = JSON.stringify({ headers: { cookie: ['session=abc123'], accept: '*/*' }, body: JSON.stringify({ nested: JSON.stringify({ password: 42 }) }) })
    const redacted = redactText(text)
    const parsed = JSON.parse(redacted)
    expect(parsed.headers).toEqual({ cookie: REDACTED, accept: '*/*' })
    expect(JSON.parse(JSON.parse(parsed.body).nested)).toEqual({ password: REDACTED })
    // The same text cut short is not JSON: patterns still find what they can, and break nothing.
    expect(redactText(text.slice(0, 40))).toBe(text.slice(0, 40))
  })

  it('finds in JSON text what an escape hides from its raw characters (\\u, \\/, a newline before a flag)', () => {
    // "\u0074oken" is "token", "\u0073k-ant-…" a key: only the parsed text shows them.
    expect(JSON.parse(redactText('{"\\u0074oken": "t-1", "note": "\\u0073k-ant-api03-hidden"}'))).toEqual({ token: REDACTED, note: REDACTED })
    // A password in a URL whose slashes are escaped, as some JSON writers do.
    expect(JSON.parse(redactText('{"db": "postgres:\\/\\/bob:pw-77@db:5432"}'))).toEqual({ db: `postgres://bob:${REDACTED}@db:5432` })
    // A flag after a newline: the raw text has `n--token`, the string a flag of its own line.
    expect(JSON.parse(redactText(JSON.stringify(['run\n--token tk-9'])))).toEqual([`run\n--token ${REDACTED}`])
    // A caller's secret that JSON text escapes (a quote in it), or that a writer escaped (\u0033 is "3").
    expect(redactText(JSON.stringify({ note: 'say s3cr3t"value' }), { extraPatterns: [/s3cr3t"value/] })).not.toContain('s3cr3t')
    expect(JSON.parse(redactText('{"note": "say s\\u0033cr3tvalue"}', { extraPatterns: [/s3cr3tvalue/] }))).toEqual({ note: `say ${REDACTED}` })
    // A sticky caller pattern matches where each string starts, not only where the text does.
    expect(redactText('{"note":"hunter2"}', { extraPatterns: [/hunter2/y] })).toBe(`{"note":"${REDACTED}"}`)
  })

  it('keeps JSON text untouched when nothing in it is secret, formatting included', () => {
    const text = '{\n  "role": "user",\n  "content": "hi"\n}'
    expect(redactText(text)).toBe(text)
  })

  it('copes with absurd nesting, in JSON text and in attribute values', () => {
    const deepJson = `${'['.repeat(50_000)}"sk-ant-api03-deep-down"${']'.repeat(50_000)}`
    expect(redactText(deepJson)).toBe(`${'['.repeat(50_000)}"${REDACTED}"${']'.repeat(50_000)}`)
    let value: AttributeValue = 'x'
    for (let level = 0; level < 50_000; level++) value = [value]
    const [span] = redactSpans([{ ...leaky, attributes: { value } }])
    expect(JSON.stringify(span!.attributes)).toContain(REDACTED)
  })

  it('stays fast on big unfriendly text (no quadratic scans)', () => {
    const inputs = [
      'a.'.repeat(200_000),
      'a'.repeat(400_000),
      'k='.repeat(200_000),
      '"k": '.repeat(100_000),
      'eyJ'.repeat(100_000),
      '-'.repeat(400_000),
      'x:'.repeat(200_000)
    ]
    const started = performance.now()
    for (const text of inputs) redactText(text)
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})
