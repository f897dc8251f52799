import { spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable } from 'node:stream'
import type { JsonSchema, LmBackend, LmRequest, LmResponse, TokenUsage } from './types'

/** bae's system prompt for structured fills (both Claude backends use it). */
export const DEFAULT_SYSTEM_PROMPT = 'You are a structured data generator. Fill each field thoroughly. Respond only with the requested data.'

/** bae's default model for the CLI backend. */
export const DEFAULT_CLAUDE_CLI_MODEL = 'claude-opus-4-6'

export interface ClaudeCliBackendOptions {
  /** Passed as `--model` (a full name or a CLI alias such as `sonnet`). Default {@link DEFAULT_CLAUDE_CLI_MODEL}. */
  model?: string
  /** The whole call's limit; then the CLI and every process it started are killed. Default 120 000 (bae's 120 s). */
  timeoutMs?: number
  /** The program to run: a path, or a name looked up on the PATH of `env`. Default `claude`. */
  executable?: string
  /** Variables laid over `process.env` for the CLI; a variable set to undefined is removed. */
  env?: Record<string, string | undefined>
  /** Default {@link DEFAULT_SYSTEM_PROMPT} (bae's). */
  system?: string
}

/** The Claude CLI could not be run, failed, timed out or printed an unusable result. */
export class ClaudeCliError extends Error {
  override name = 'ClaudeCliError'
  constructor(
    message: string,
    readonly reason: 'spawn' | 'timeout' | 'exit' | 'output',
    /** What the CLI wrote on stderr (for `exit`), trimmed to its last 4000 characters. */
    readonly stderr?: string,
    readonly exitCode?: number | null
  ) {
    super(message)
  }
}

/** Keys whose value is a map of subschemas, a list of subschemas, or one subschema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'])
const SCHEMA_LISTS = new Set(['anyOf', 'allOf', 'oneOf', 'prefixItems'])
const SCHEMA_ONE = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'propertyNames'
])

const isSchema = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The schema without any `format` keyword (the CLI rejects schemas that have one), each moved into
 * its description as `format: X` so the model still sees it (bae's `_strip_format`). Only schema
 * positions are touched: a property that is *named* `format` stays.
 */
export function stripFormat(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {}
  const formats: string[] = []
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'format') formats.push(`format: ${String(value)}`)
    else if (SCHEMA_MAPS.has(key) && isSchema(value))
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, isSchema(sub) ? stripFormat(sub) : sub]))
    else if ((SCHEMA_LISTS.has(key) || key === 'items') && Array.isArray(value)) out[key] = value.map((sub) => (isSchema(sub) ? stripFormat(sub) : sub))
    else if (SCHEMA_ONE.has(key) && isSchema(value)) out[key] = stripFormat(value)
    else out[key] = value
  }
  if (formats.length) out['description'] = [typeof out['description'] === 'string' ? out['description'] : '', ...formats].filter(Boolean).join(', ')
  return out
}

/** The CLI's argv for one request (bae's `_run_cli_json`, without tools). */
export function claudeCliArgs(request: Pick<LmRequest, 'prompt' | 'schema'>, model: string, system: string): string[] {
  return [
    '-p',
    request.prompt,
    '--model',
    model,
    '--output-format',
    'json',
    '--json-schema',
    JSON.stringify(stripFormat(request.schema)),
    '--no-session-persistence',
    '--tools',
    '',
    '--strict-mcp-config',
    '--setting-sources',
    '',
    '--system-prompt',
    system
  ]
}

type Json = Record<string, unknown>

function usageOf(result: Json): TokenUsage | undefined {
  const usage = result['usage']
  if (!isSchema(usage) || typeof usage['input_tokens'] !== 'number' || typeof usage['output_tokens'] !== 'number') return undefined
  const count = (key: string): number => (typeof usage[key] === 'number' ? usage[key] : 0)
  // All input tokens, cached or not, as AnthropicBackend counts them.
  return { inputTokens: count('input_tokens') + count('cache_creation_input_tokens') + count('cache_read_input_tokens'), outputTokens: count('output_tokens') }
}

/**
 * Reads what `claude -p --output-format json` printed (bae's parsing): one result object, or an
 * array of events whose last `result` holds the answer in `structured_output`. An object without
 * `structured_output` is itself the answer. Text that is not JSON is returned as the (string)
 * output, so StructuredLm reports a FillError ("not JSON") and may ask again; a result the CLI
 * marked as an error, or an array without an answer, is a {@link ClaudeCliError}.
 */
export function parseClaudeCliOutput(stdout: string): Pick<LmResponse, 'output' | 'usage' | 'finishReason'> & { models?: string[] } {
  const text = stdout.trim()
  if (!text) throw new ClaudeCliError('the Claude CLI printed nothing', 'output')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { output: text }
  }
  let result: unknown = json
  if (Array.isArray(json)) {
    result = json.findLast((item) => isSchema(item) && item['type'] === 'result')
    if (!isSchema(result)) throw new ClaudeCliError(`no result in the Claude CLI output: ${text.slice(0, 2000)}`, 'output')
  }
  if (!isSchema(result)) return { output: result }
  if (result['type'] === 'result' && result['is_error'] === true) {
    const detail = typeof result['result'] === 'string' ? result['result'] : JSON.stringify(result).slice(0, 2000)
    throw new ClaudeCliError(`the Claude CLI reported an error (${String(result['subtype'] ?? 'error')}): ${detail}`, 'output')
  }
  if (Array.isArray(json) && !('structured_output' in result))
    throw new ClaudeCliError(`no structured_output in the Claude CLI response: ${text.slice(0, 2000)}`, 'output')
  const usage = usageOf(result)
  const finishReason = typeof result['stop_reason'] === 'string' ? result['stop_reason'] : typeof result['subtype'] === 'string' ? result['subtype'] : undefined
  const models = isSchema(result['modelUsage']) ? Object.keys(result['modelUsage']) : undefined
  return {
    output: 'structured_output' in result ? result['structured_output'] : result,
    ...(usage ? { usage } : {}),
    ...(finishReason ? { finishReason } : {}),
    ...(models?.length ? { models } : {})
  }
}

const tail = (text: string, max = 4000): string => (text.length > max ? `…${text.slice(-max)}` : text)

/**
 * The Claude Code CLI as an {@link LmBackend} (bae's ClaudeCLIBackend): one `claude -p` process
 * per request, no tools, no MCP servers, no settings, no saved session. It runs in its own process
 * group, so a timeout or an abort kills it together with everything it started.
 */
export class ClaudeCliBackend implements LmBackend {
  readonly provider = 'claude-cli'
  readonly model: string
  private readonly timeoutMs: number
  private readonly executable: string
  private readonly env: NodeJS.ProcessEnv
  private readonly system: string

  constructor(options: ClaudeCliBackendOptions = {}) {
    this.model = options.model ?? DEFAULT_CLAUDE_CLI_MODEL
    this.timeoutMs = options.timeoutMs ?? 120_000
    this.executable = options.executable ?? 'claude'
    this.env = { ...process.env, ...options.env }
    this.system = options.system ?? DEFAULT_SYSTEM_PROMPT
  }

  async generate(request: LmRequest): Promise<LmResponse> {
    request.signal.throwIfAborted()
    const stdout = await this.run(claudeCliArgs(request, this.model, this.system), request.signal)
    const { models, ...parsed } = parseClaudeCliOutput(stdout)
    // The CLI resolves aliases (`sonnet`); report the model that answered when it says which one.
    return { ...parsed, model: models?.length === 1 ? models[0]! : this.model }
  }

  /** Runs the CLI to its end; resolves with stdout after exit code 0. */
  private run(args: string[], signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      let child: ChildProcessByStdio<null, Readable, Readable>
      try {
        child = spawn(this.executable, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: this.env })
      } catch (error) {
        // Most spawn failures are 'error' events; a few (E2BIG: the prompt is too long) throw.
        return reject(this.spawnError(error as NodeJS.ErrnoException, args))
      }
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
      let settled = false
      let exited = false
      let stopped: unknown // why we killed it: the abort reason or a timeout error

      const settle = (error: unknown, value?: string): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        if (error !== undefined) {
          child.stdout.destroy()
          child.stderr.destroy()
          reject(error)
        } else resolve(value!)
      }
      const stop = (reason: unknown): void => {
        if (settled || stopped !== undefined) return
        stopped = reason
        // The negative pid is the process group (detached: the CLI leads a new one): its
        // subprocesses die with it instead of living on as orphans.
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
        } catch {
          // Already gone.
        }
        // Once it has exited there is nothing to wait for (a straggler outside the group may
        // still hold the pipes open, so do not wait for them to close).
        if (exited) settle(reason)
      }
      const onAbort = (): void => stop(signal.reason)
      const timer = setTimeout(
        () => stop(new ClaudeCliError(`the Claude CLI timed out after ${this.timeoutMs / 1000} s (it was killed with its subprocesses)`, 'timeout')),
        this.timeoutMs
      )
      signal.addEventListener('abort', onAbort, { once: true })

      child.on('error', (error: NodeJS.ErrnoException) => settle(this.spawnError(error, args)))
      child.on('exit', () => {
        exited = true
        if (stopped !== undefined) settle(stopped)
      })
      child.on('close', (code, killedBy) => {
        if (stopped !== undefined) return settle(stopped)
        const err = Buffer.concat(stderr).toString('utf8').trim()
        const out = Buffer.concat(stdout).toString('utf8')
        if (code === 0) return settle(undefined, out)
        const how = killedBy ? `was killed by ${killedBy}` : `failed (exit code ${code})`
        // Some failures are reported on stdout (a JSON result with is_error); show that when stderr is empty.
        settle(new ClaudeCliError(`the Claude CLI ${how}: ${tail(err || out.trim()) || '(no output)'}`, 'exit', tail(err), code))
      })
    })
  }

  private spawnError(error: NodeJS.ErrnoException, args: string[]): ClaudeCliError {
    const exe = `'${this.executable}'`
    if (error.code === 'ENOENT')
      return new ClaudeCliError(
        `could not start the Claude CLI: ${exe} was not found${this.executable.includes('/') ? '' : ' on PATH'}. ` +
          "Install Claude Code (npm install -g @anthropic-ai/claude-code) or pass { executable: '/path/to/claude' }.",
        'spawn'
      )
    if (error.code === 'EACCES') return new ClaudeCliError(`could not start the Claude CLI: ${exe} is not executable`, 'spawn')
    if (error.code === 'E2BIG') {
      const bytes = Buffer.byteLength(args[1] ?? '')
      return new ClaudeCliError(`could not start the Claude CLI: the prompt (${bytes} bytes) is too long for a command-line argument`, 'spawn')
    }
    return new ClaudeCliError(`could not start the Claude CLI ${exe}: ${error.message}`, 'spawn')
  }
}
