/**
 * Secret scrubbing for spans that leave the process: run {@link redactSpans} before any export to a
 * file or a collector (the serializers do not redact by themselves).
 *
 * Two rules, applied to span, event, link and resource attributes (also inside nested values):
 * 1. **Secret keys.** The whole value of an attribute whose key looks secret (`api_key`, `token`,
 *    `secret`, `password`, `authorization`, `cookie`, `credential`, `private_key`…, or a key that
 *    ends in `key` after a separator: `anthropic.api_key`, `x-api-key`, `AWS_ACCESS_KEY`, `accessKey`)
 *    becomes `"[REDACTED]"`. Token *counts* are not secrets: `gen_ai.usage.input_tokens`,
 *    `llm.token_count.total`, `gen_ai.token.type` keep their values, and so do the known non-secret
 *    keys in {@link NOT_SECRET_KEYS}.
 * 2. **Secret-looking text.** In every string (attribute values at any depth, span and event names,
 *    status messages) secrets are replaced in place, the rest of the text kept: Anthropic and
 *    OpenAI-style keys (`sk-ant-…`, `sk-…`), `Bearer …` tokens, AWS access key ids, GitHub, Slack and
 *    Google API tokens, JWTs, PEM private keys, passwords in URLs (`postgres://user:…@host`), and the
 *    values of secret keys written as `key=value`, `--key value` or `"key": "value"` (JSON text such as
 *    gen_ai message contents, also JSON nested in JSON strings).
 *
 * Null and empty values are kept: they hold nothing. Ids and times are never touched. The result is
 * new objects; the input is not modified.
 */
import type { Attributes, AttributeValue, SpanDto } from '../trace-contract'
import { setOwn } from './util'

/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]'

/** Options of {@link redactSpans}; read once per object (do not change one after it was used: pass a new one). */
export interface RedactOptions {
  /** More patterns of secret text: every match is replaced (applied globally even without the `g` flag). */
  extraPatterns?: readonly RegExp[]
  /** More attribute keys whose whole value is secret. They win over {@link RedactOptions.keepKeys}. */
  extraKeys?: readonly RegExp[]
  /** Keys that look secret but are not, added to {@link NOT_SECRET_KEYS}. */
  keepKeys?: readonly string[]
}

/**
 * Keys the key rule would catch that hold no secret: Cortex's replay request key (a hash of the
 * request) and semantic-convention keys that name an object or message, not a credential.
 */
export const NOT_SECRET_KEYS: readonly string[] = ['cortex.lm.request_key', 'aws.s3.key', 'messaging.kafka.message.key']

// `token` but not token counts or kinds (tokens, token_count, token.type, tokenizer).
const SECRET_KEY = /api[_-]?key|token(?!s|izer|[._-]?(?:count|type|usage))|secret|password|passwd|authorization|cookie|credential|private[_-]?key/i
// A key ending in "key" after a separator (`.api_key`, `x-api-key`) or a camelCase hump (`accessKey`).
const KEY_SUFFIX = /[._\-\s:/]key$/i
const CAMEL_KEY_SUFFIX = /[a-z0-9]Key$/

// Every pattern starts where a run of its characters starts (look-behind), so a long run of
// ordinary text is tried once, not at every position: no quadratic scans of big message contents.
const VALUE_PATTERNS: readonly { pattern: RegExp; replace: string }[] = [
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, replace: REDACTED },
  // The password of a URL's user info: scheme://user:password@host.
  { pattern: /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/?#]*:)[^\s@/?#]+@/g, replace: `$1${REDACTED}@` },
  // Any credential after a capitalised `Bearer`; lower case only before a token-like word, so prose
  // ("the bearer of the letter") stays as it is.
  { pattern: /\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/g, replace: `$1${REDACTED}` },
  { pattern: /\b((?:bearer|BEARER)\s+)(?=[A-Za-z0-9\-._~+/]*[0-9\-._~+/])[A-Za-z0-9\-._~+/]{12,}=*/g, replace: `$1${REDACTED}` },
  { pattern: /(?<![\w-])sk-ant-[\w-]+/g, replace: REDACTED },
  { pattern: /(?<![\w-])sk-[\w-]{20,}/g, replace: REDACTED },
  { pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])/g, replace: REDACTED },
  { pattern: /(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_\w{20,})/g, replace: REDACTED },
  { pattern: /(?<![\w-])xox[abposr]-[\w-]{10,}/g, replace: REDACTED },
  { pattern: /(?<![\w-])AIza[\w-]{35}/g, replace: REDACTED },
  { pattern: /(?<![\w-])eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g, replace: REDACTED }
]

// `--key value` (a command-line flag: groups 1, 2) or `key=value` / `key: value` (groups 3, 4; the
// key may close a quote, as in escaped JSON: `\"token\": \"…\"`). The value is matched separately
// (KEY_VALUE_VALUE), and only after a secret key: a scan never reads ordinary values, so it stays linear.
const KEY_VALUE_KEY = /(?<![\w.-])(?:(--?[A-Za-z][\w.-]*)(\s+)(?=[^\s-])|(-{0,2}[A-Za-z_][\w.-]*)(\\?"?\s*[=:]\s*))/g
// An optional auth scheme (1), then the value (2): already redacted, quoted, quoted inside JSON text, or a bare word
// (not an array or object: in JSON text cut short, a pattern could not find where those end).
const KEY_VALUE_VALUE =
  /((?:Basic|Bearer|Digest|Negotiate|NTLM|Token|AWS4-HMAC-SHA256)\s+)?(\[REDACTED\]|"[^"\n]*"|'[^'\n]*'|\\"(?:[^"\\\n]|\\[^"])*\\"|[^\s&;,"'<>[{][^\s&;,"'<>]*)/iy
// `"key": value` in JSON text (one level; JSON nested in JSON strings is parsed instead).
const JSON_PAIR = /"((?:[^"\\\n]|\\.){1,200})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false)/g

// JSON-looking strings are parsed to redact by key at any depth; bound the work on huge ones.
const MAX_JSON_PARSE = 10_000_000
// JSON in JSON strings, this many levels down, is left to the text patterns.
const MAX_DEPTH = 32
// Values nested deeper than this (no telemetry does) are replaced whole rather than walked.
const MAX_NESTING = 100

/** Thrown to give up walking absurdly nested JSON text (the text patterns take over). */
class TooDeep extends Error {}

interface Context {
  extraKeys: readonly RegExp[]
  keep: ReadonlySet<string>
  extraPatterns: readonly RegExp[]
  /** Whether every extra pattern is a literal a JSON string writes as it is (see {@link unchangeable}). */
  literalPatterns: boolean
}

// An escaped literal (what the runtime makes of a secret value) without `"` or `\`: with no control
// character either (literalForJson), characters that JSON text writes as they are, unless as \uXXXX
// (or `/` as `\/`).
const RAW_LITERAL = /^(?:[^\\.*+?^${}()|[\]"]|\\[.*+?^${}()|[\]/-])*$/

function literalForJson(pattern: RegExp): boolean {
  // A sticky pattern matches only where a test starts: on the raw text, not on each string inside.
  if (pattern.sticky) return false
  const source = pattern.source
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) < 0x20) return false
  return RAW_LITERAL.test(source)
}

/** Made once per options object: the runtime scrubs every stored line and log line with the same one. */
const contexts = new WeakMap<RedactOptions, Context>()
const NO_OPTIONS: RedactOptions = {}

function context(options: RedactOptions = NO_OPTIONS): Context {
  let made = contexts.get(options)
  if (!made) {
    made = {
      extraKeys: options.extraKeys ?? [],
      keep: new Set([...NOT_SECRET_KEYS, ...(options.keepKeys ?? [])]),
      extraPatterns: (options.extraPatterns ?? []).map((pattern) => (pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`))),
      literalPatterns: (options.extraPatterns ?? []).every(literalForJson)
    }
    contexts.set(options, made)
  }
  return made
}

function secretKey(key: string, ctx: Context): boolean {
  if (ctx.extraKeys.some((pattern) => test(pattern, key))) return true
  if (ctx.keep.has(key)) return false
  return SECRET_KEY.test(key) || KEY_SUFFIX.test(key) || CAMEL_KEY_SUFFIX.test(key)
}

/** `pattern.test` without the `lastIndex` state a caller's global regex would carry between calls. */
function test(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0
  const found = pattern.test(text)
  pattern.lastIndex = 0
  return found
}

/** Whether the whole value of an attribute named `key` is treated as secret (rule 1 of the module comment). */
export function isSecretKey(key: string, options?: RedactOptions): boolean {
  return secretKey(key, context(options))
}

/** `text` with secret-looking parts replaced by `[REDACTED]` (rule 2 of the module comment). */
export function redactText(text: string, options?: RedactOptions): string {
  return redactString(text, context(options), 0)
}

function redactString(text: string, ctx: Context, depth: number): string {
  const trimmed = text.trim()
  if (depth < MAX_DEPTH && text.length <= MAX_JSON_PARSE && /^[[{]/.test(trimmed) && /[\]}]$/.test(trimmed)) {
    if (unchangeable(text, ctx)) return text
    let parsed: unknown
    let isJson = false
    try {
      parsed = JSON.parse(text)
      isJson = true
    } catch {
      // Not JSON after all (or cut short by an attribute length limit): the text patterns apply.
    }
    // JSON text is redacted as data, never by patterns over its raw text, which could cut an escape
    // in half. It is re-serialized (compactly) only when something in it changed.
    if (isJson) {
      try {
        const changed = { any: false }
        const redacted = redactJson(parsed, ctx, depth + 1, 0, changed)
        return changed.any ? JSON.stringify(redacted) : text
      } catch (error) {
        if (!(error instanceof TooDeep)) throw error
      }
    }
  }
  return redactPatterns(text, ctx)
}

// Every text a pattern above can change contains one of these: most attribute values (names,
// ids, numbers as text) and most code (`const x = 1`, `a ? b : c`) contain none, and are passed
// over with a test or two (the live feed redacts every span, the store every input and output).
// A value pattern needs its marker; a key's value (`key=…`, `key: …`, `--key …`, a JSON pair)
// needs a separator and a key that secretKey takes, which has one of SECRET_KEY_WORD in it.
const VALUE_MARKER = /-----BEGIN|:\/\/|bearer|sk-|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|AIza|eyJ/i
const KEY_SEPARATOR = /[=:]|(?:^|[^\w.-])-/
const SECRET_KEY_WORD = /key|token|secret|passw|authoriz|cookie|credential/i

function mayHoldSecret(text: string, ctx: Context): boolean {
  if (VALUE_MARKER.test(text)) return true
  if (!KEY_SEPARATOR.test(text)) return false
  // The caller's own secret keys may be any words.
  return ctx.extraKeys.length > 0 || SECRET_KEY_WORD.test(text)
}

// How JSON text can hide a character from a test of its raw text: as \uXXXX, or `/` as `\/` (at
// any depth of JSON in JSON strings, the text still holds these two characters). JSON.stringify
// writes \u only for control characters (ESC of ANSI colours, say) and lone surrogates; such text
// takes the parsing path, correct but slower. The other escapes (`\"`, `\\`, `\n`…) stand for
// characters no marker, key word or literal pattern has.
const HIDING_ESCAPE = /\\u|\\\//

/**
 * Whether no rule can change JSON text, told from its raw characters, without parsing it
 * (~30 µs for an LM span's messages, for every span a collector or a trace file gets): no value
 * marker, no word a secret key has (a key, or a key's value in text, needs one), no caller pattern
 * matches, and no escape that could hide one of them. The separator test of {@link mayHoldSecret}
 * is left out: in JSON text a separator can hide behind an escape (`\n--token x`).
 */
function unchangeable(text: string, ctx: Context): boolean {
  return (
    ctx.literalPatterns &&
    ctx.extraKeys.length === 0 &&
    !VALUE_MARKER.test(text) &&
    !SECRET_KEY_WORD.test(text) &&
    !HIDING_ESCAPE.test(text) &&
    !ctx.extraPatterns.some((pattern) => test(pattern, text))
  )
}

function redactPatterns(text: string, ctx: Context): string {
  if (!mayHoldSecret(text, ctx) && !ctx.extraPatterns.some((pattern) => test(pattern, text))) return text
  let out = text
  for (const { pattern, replace } of VALUE_PATTERNS) out = out.replace(pattern, replace)
  out = out.replace(JSON_PAIR, (match, key: string, separator: string, value: string) =>
    secretKey(key, ctx) && value !== '""' && value !== `"${REDACTED}"` ? `"${key}"${separator}"${REDACTED}"` : match
  )
  out = redactKeyValues(out, ctx)
  for (const pattern of ctx.extraPatterns) out = out.replace(pattern, REDACTED)
  return out
}

/**
 * `key=value`, `key: value`, `--key value` whose key is secret. A key that is not secret resumes
 * the scan right after it, so its value (`config: password=abc`) is still examined.
 */
function redactKeyValues(text: string, ctx: Context): string {
  const keys = new RegExp(KEY_VALUE_KEY)
  const values = new RegExp(KEY_VALUE_VALUE)
  let out = ''
  let copied = 0
  for (let match = keys.exec(text); match; match = keys.exec(text)) {
    const key = match[1] ?? match[3] ?? ''
    if (!secretKey(key.replace(/^-+/, ''), ctx)) {
      keys.lastIndex = match.index + key.length
      continue
    }
    const valueStart = match.index + match[0].length
    values.lastIndex = valueStart
    const value = values.exec(text)
    if (!value) continue
    keys.lastIndex = values.lastIndex
    const [, scheme = '', secret = ''] = value
    if (secret.includes(REDACTED)) continue
    // Keep the value's quotes, so quoted text (and escaped JSON) keeps its shape.
    const quote = /^(\\?["'])/.exec(secret)?.[1] ?? ''
    out += `${text.slice(copied, valueStart)}${scheme}${quote}${REDACTED}${quote}`
    copied = values.lastIndex
  }
  return copied === 0 ? text : out + text.slice(copied)
}

/**
 * Redacts a parsed JSON value; sets `changed.any` when anything inside changed. `depth` counts JSON
 * strings parsed on the way down, `nesting` the arrays and objects within this one.
 */
function redactJson(value: unknown, ctx: Context, depth: number, nesting: number, changed: { any: boolean }): unknown {
  if (nesting > MAX_NESTING) throw new TooDeep()
  if (typeof value === 'string') {
    const redacted = redactString(value, ctx, depth)
    if (redacted !== value) changed.any = true
    return redacted
  }
  if (Array.isArray(value)) return value.map((item) => redactJson(item, ctx, depth, nesting + 1, changed))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      if (secretKey(key, ctx) && item !== null && item !== '' && item !== REDACTED) {
        changed.any = true
        setOwn(out, key, REDACTED)
      } else {
        setOwn(out, key, redactJson(item, ctx, depth, nesting + 1, changed))
      }
    }
    return out
  }
  return value
}

function redactValue(value: AttributeValue, ctx: Context, nesting: number): AttributeValue {
  if (typeof value === 'string') return redactString(value, ctx, 0)
  // Safe rather than walked: nothing real nests this deep, and a stack overflow would stop the export.
  if (nesting > MAX_NESTING) return REDACTED
  if (Array.isArray(value)) {
    const out: AttributeValue[] = []
    for (let index = 0; index < value.length; index++) {
      const item = value[index]!
      const previous = index > 0 ? value[index - 1] : undefined
      // ['--api-key', 'xyz'] (process.command_args): the value after a secret flag is secret.
      if (
        typeof item === 'string' &&
        item !== '' &&
        typeof previous === 'string' &&
        /^--?[A-Za-z][\w.-]*$/.test(previous) &&
        secretKey(previous.replace(/^-+/, ''), ctx)
      ) {
        out.push(REDACTED)
      } else {
        out.push(redactValue(item, ctx, nesting + 1))
      }
    }
    return out
  }
  if (value !== null && typeof value === 'object') return redactAttributes(value, ctx, nesting + 1)
  return value
}

function redactAttributes(attributes: Attributes, ctx: Context, nesting = 0): Attributes {
  const out: Attributes = {}
  for (const [key, value] of Object.entries(attributes)) {
    const secret = secretKey(key, ctx) && value !== null && value !== ''
    setOwn(out, key, secret ? REDACTED : redactValue(value, ctx, nesting))
  }
  return out
}

/**
 * Copies of `spans` with secrets replaced by `[REDACTED]` (see the module comment for the rules).
 * Spans that shared a resource object share its redacted copy.
 */
export function redactSpans(spans: readonly SpanDto[], options?: RedactOptions): SpanDto[] {
  const ctx = context(options)
  const resources = new Map<Attributes, Attributes>()
  return spans.map((span) => {
    let resource = resources.get(span.resource)
    if (!resource) resources.set(span.resource, (resource = redactAttributes(span.resource, ctx)))
    const { message } = span.status
    return {
      ...span,
      name: redactString(span.name, ctx, 0),
      attributes: redactAttributes(span.attributes, ctx),
      events: span.events.map((event) => ({ ...event, name: redactString(event.name, ctx, 0), attributes: redactAttributes(event.attributes, ctx) })),
      links: span.links.map((link) => ({ ...link, attributes: redactAttributes(link.attributes, ctx) })),
      status: message !== undefined ? { ...span.status, message: redactString(message, ctx, 0) } : { ...span.status },
      resource,
      scope: { ...span.scope }
    }
  })
}
