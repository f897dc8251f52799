import type { LmBackend, LmRequest, LmResponse } from './types'

/** An answer: a value (the model's JSON output), or a function of the request computing one. */
export type MockAnswer = unknown | ((request: LmRequest) => unknown)

export interface MockScript {
  /** Answers for fills, by target node name: one answer (reused) or a list (used in order, the last one reused). */
  fill?: Record<string, MockAnswer | readonly MockAnswer[]>
  /** Choices, by the node we decide from: the chosen node's name (or 'stop'). */
  choose?: Record<string, string | readonly string[]>
  /** Simulated latency per call, honouring the request's signal. */
  delayMs?: number
  /** Token usage to report per call. */
  usage?: { inputTokens: number; outputTokens: number }
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** A scripted backend for tests: answers by node name and records every request it got. */
export class MockBackend implements LmBackend {
  readonly provider = 'mock'
  readonly model = 'mock'
  readonly requests: LmRequest[] = []
  /** Calls that have started and not finished (to prove cancellation leaves nothing running). */
  inFlight = 0
  private readonly used = new Map<string, number>()

  constructor(private readonly script: MockScript | ((request: LmRequest) => unknown)) {}

  async generate(request: LmRequest): Promise<LmResponse> {
    this.requests.push(request)
    this.inFlight++
    try {
      const script = typeof this.script === 'function' ? undefined : this.script
      if (script?.delayMs) await wait(script.delayMs, request.signal)
      request.signal.throwIfAborted()
      const answer = typeof this.script === 'function' ? this.script(request) : this.answer(request)
      const output = typeof answer === 'function' ? (answer as (r: LmRequest) => unknown)(request) : answer
      return { output: await output, model: this.model, ...(script?.usage ? { usage: script.usage } : {}) }
    } finally {
      this.inFlight--
    }
  }

  private answer(request: LmRequest): unknown {
    const script = this.script as MockScript
    const table = request.kind === 'fill' ? script.fill : script.choose
    if (!table || !Object.hasOwn(table, request.node)) throw new Error(`MockBackend has no ${request.kind} answer for ${request.node}`)
    const entry = table[request.node]
    if (!Array.isArray(entry)) return request.kind === 'choose' ? { choice: entry } : entry
    const key = `${request.kind}:${request.node}`
    const index = this.used.get(key) ?? 0
    this.used.set(key, index + 1)
    const answer = entry[Math.min(index, entry.length - 1)]
    return request.kind === 'choose' ? { choice: answer } : answer
  }
}
