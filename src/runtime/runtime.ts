import type { z } from 'zod'
import { serializeError } from '../common/errors'
import { DisposableStore, type Disposable } from '../common/lifecycle'
import type { Logger } from '../common/logger'
import type { EventName } from '../common/protocol/contract'
import type { Port } from '../common/protocol/port'
import { RpcServer } from '../common/protocol/rpc'
import { runtimeContract, type RuntimeContract, type RuntimeInfo } from '../common/runtime-contract'
import { JsEvaluator, trimStack } from './repl/evaluator'

export interface RuntimeOptions {
  /** How this process was started; reported to clients. */
  host: RuntimeInfo['host']
  log: Logger
}

/**
 * The runtime session: one namespace, served to any number of clients (windows, browser tabs,
 * tests). Events go to every client, so all of them show the same session.
 */
export class Runtime implements Disposable {
  private readonly clients = new Set<RpcServer<RuntimeContract>>()
  private readonly store = new DisposableStore()
  private readonly evaluator: JsEvaluator
  private readonly startedAt = Date.now()

  constructor(private readonly options: RuntimeOptions) {
    this.evaluator = new JsEvaluator((chunk) => this.broadcast('repl.output', chunk))
  }

  get clientCount(): number {
    return this.clients.size
  }

  /** Serves the runtime's contract on `port` until it closes. */
  connect(port: Port): Disposable {
    const server = new RpcServer(
      port,
      runtimeContract,
      {
        'repl.evaluate': ({ code }) => {
          const result = this.evaluator.evaluate(code)
          this.broadcast('repl.result', result)
          return result
        },
        'runtime.info': () => ({
          pid: process.pid,
          host: this.options.host,
          nodeVersion: process.version,
          uptimeMs: Date.now() - this.startedAt
        })
      },
      this.options.log
    )
    this.clients.add(server)
    this.store.add(server)
    server.onClose(() => {
      this.clients.delete(server)
      this.store.delete(server)
    })
    return server
  }

  /**
   * An error nobody awaited (a throwing timer, an unhandled rejection): shown in every window,
   * labelled with the evaluation whose work threw it when that is known. The runtime keeps going.
   */
  reportUncaught(error: unknown, kind: 'exception' | 'rejection'): void {
    const serialized = serializeError(error)
    const frames = serialized.stack
      ? trimStack(serialized.stack)
          .split('\n')
          .filter((line) => /^\s+at /.test(line))
      : []
    const headline = `Uncaught${kind === 'rejection' ? ' (in promise)' : ''} ${serialized.name}: ${serialized.message}`
    const evalId = this.evaluator.currentEvalId
    this.broadcast('repl.output', { ...(evalId !== undefined ? { evalId } : {}), stream: 'stderr', text: `${[headline, ...frames].join('\n')}\n` })
  }

  dispose(): void {
    this.store.dispose()
    this.clients.clear()
  }

  private broadcast<E extends EventName<RuntimeContract>>(topic: E, payload: z.input<RuntimeContract['events'][E]>): void {
    for (const client of this.clients) client.emit(topic, payload)
  }
}
