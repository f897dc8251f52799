import { Session } from 'node:inspector'
import type vm from 'node:vm'

export type ReadOnlyResult = { ok: true; value: unknown } | { ok: false; error: string }

/** Where a stashed result is put for a moment: an own, non-enumerable property no user code knows. */
const STASH = `__cortexReadOnlyResult_${Math.random().toString(36).slice(2)}`
const GROUP = 'cortex-ai-evaluate'

interface RemoteObject {
  type: string
  subtype?: string
  value?: unknown
  unserializableValue?: string
  objectId?: string
  description?: string
}

/**
 * Evaluates expressions in the namespace with V8's own guarantee of no side effects, as Node's
 * REPL preview does: an in-process inspector session runs `Runtime.evaluate` with
 * `throwOnSideEffect` (a write to anything that existed before, a call to a native with effects,
 * throws) and a `timeout` (a loop is terminated). The in-process session answers synchronously.
 */
export class ReadOnlyEvaluator {
  private session: Session | undefined
  private contextId: number | undefined

  constructor(
    private readonly context: vm.Context,
    /** The vm context's name (vm.createContext's `name`). */
    private readonly contextName: string
  ) {}

  evaluate(expression: string, timeoutMs = 500): ReadOnlyResult {
    const contextId = this.findContext()
    if (contextId === undefined) return { ok: false, error: `the namespace (${this.contextName}) was not found by the inspector` }
    let reply: { result: RemoteObject; exceptionDetails?: { exception?: RemoteObject; text?: string } }
    try {
      reply = this.post('Runtime.evaluate', {
        expression,
        contextId,
        throwOnSideEffect: true,
        timeout: timeoutMs,
        objectGroup: GROUP,
        silent: true
      }) as typeof reply
    } catch (error) {
      const message = (error as Error).message
      return { ok: false, error: /terminated/i.test(message) ? `stopped after ${timeoutMs} ms (the expression did not finish)` : message }
    }
    try {
      if (reply.exceptionDetails) {
        const description = reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text ?? 'it threw'
        const headline = description.split('\n')[0]!
        return {
          ok: false,
          error: /side-effect/i.test(headline) ? 'refused: the expression may have a side effect (evaluate is read-only; run_code changes things)' : headline
        }
      }
      return { ok: true, value: this.valueOf(reply.result) }
    } finally {
      this.post('Runtime.releaseObjectGroup', { objectGroup: GROUP })
    }
  }

  dispose(): void {
    this.session?.disconnect()
    this.session = undefined
  }

  /** The remote object as the value itself: primitives directly, objects through a stash in the namespace. */
  private valueOf(remote: RemoteObject): unknown {
    if (remote.type === 'undefined') return undefined
    if (remote.unserializableValue !== undefined) {
      const text = remote.unserializableValue
      return text.endsWith('n') ? BigInt(text.slice(0, -1)) : Number(text)
    }
    if (!remote.objectId) return remote.value
    Object.defineProperty(this.context, STASH, { value: undefined, writable: true, configurable: true, enumerable: false })
    // Outside the read-only mode: this writes only the stash property, then it is read and deleted.
    this.post('Runtime.callFunctionOn', { objectId: remote.objectId, functionDeclaration: `function () { globalThis.${STASH} = this }`, silent: true })
    const value: unknown = this.context[STASH]
    delete this.context[STASH]
    return value
  }

  private findContext(): number | undefined {
    if (this.contextId !== undefined) return this.contextId
    const session = new Session()
    session.connect()
    const contexts: { id: number; name: string }[] = []
    session.on('Runtime.executionContextCreated', (message) => contexts.push(message.params.context))
    this.session = session
    // In-process, enabling reports every existing context before it returns. Disabled again at
    // once: an enabled Runtime domain would get (and keep alive) every console.log's arguments.
    this.post('Runtime.enable', {})
    this.post('Runtime.disable', {})
    this.contextId = contexts.find((context) => context.name === this.contextName)?.id
    return this.contextId
  }

  /** A synchronous inspector call (the in-process session calls back before `post` returns). */
  private post(method: string, params: object): unknown {
    let outcome: { error: Error | null; result: unknown } | undefined
    this.session!.post(method, params, (error: Error | null, result: unknown) => (outcome = { error, result }))
    if (!outcome) throw new Error(`the inspector did not answer ${method} synchronously`)
    if (outcome.error) throw outcome.error
    return outcome.result
  }
}
