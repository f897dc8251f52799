import { register } from 'node:module'
import { pathToFileURL } from 'node:url'
import { serializeError, setUnexpectedErrorHandler } from '../common/errors'
import type { Logger } from '../common/logger'
import type { RuntimeInfo } from '../common/runtime-contract'
import { idleV8BackgroundThreads } from './background-threads'
import { frameworkApi } from './repl/namespace'
import { Runtime, type RuntimeOptions } from './runtime'
import { collectorFromEnv } from './tracing/sdk'

/**
 * What every process that hosts the runtime sets up, whether the runtime has the process to itself
 * (main.ts) or shares it with the terminal client (in-process.ts): the loader hooks, the Runtime
 * for the working directory, graph files to load at startup, and the exception boundary.
 */
export function hostRuntime(
  host: RuntimeInfo['host'],
  log: Logger,
  loaderPath: string,
  more: Pick<RuntimeOptions, 'signalsDuringSyncRuns' | 'onBlockingRun'> & {
    /** Record spans unless told not to (the app's timeline shows them); otherwise only when asked for. */
    traceByDefault?: boolean
  } = {}
): Runtime {
  // V8's compiler and GC threads yield to any interactive thread (see background-threads.ts).
  idleV8BackgroundThreads(log)

  // TypeScript graph files, extensionless imports and `import … from 'cortex'` (see loader/hooks.ts),
  // registered before the first import: registering starts Node's loader thread (about 70 ms of
  // the start, which a session that imports nothing need not wait for).
  let registered = false
  const registerHooks = (): void => {
    if (registered) return
    register(pathToFileURL(loaderPath), { data: { exports: Object.keys(frameworkApi()) } })
    registered = true
  }

  const { traceByDefault = true, ...options } = more
  // OTEL_EXPORTER_OTLP_ENDPOINT adds a collector. The timeline records every run unless
  // CORTEX_TRACING=off; without a timeline (traceByDefault false) spans are recorded only for a
  // collector, CORTEX_TRACING=on or `%trace on`.
  const collector = collectorFromEnv(process.env)
  const setting = process.env['CORTEX_TRACING']
  const runtime = new Runtime({
    ...options,
    host,
    log,
    beforeImport: registerHooks,
    projectDir: process.cwd(),
    tracing: { enabled: setting !== 'off' && (traceByDefault || setting === 'on' || collector !== undefined), collector }
  })

  // Graph files to load at startup (`npm start` loads the OOTD example): CORTEX_LOAD, comma-separated.
  runtime.loadAtStartup((process.env['CORTEX_LOAD'] ?? '').split(',').filter(Boolean))

  // Nothing user code does may kill the runtime: report (in the windows and the log) and keep serving.
  // serializeError and the logger never throw, so these handlers cannot fail in turn.
  setUnexpectedErrorHandler((error) => log.error('unexpected error', serializeError(error)))
  process.on('uncaughtException', (error) => {
    log.error('uncaught exception; the runtime keeps running', serializeError(error))
    runtime.reportUncaught(error, 'exception')
  })
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled rejection; the runtime keeps running', serializeError(reason))
    runtime.reportUncaught(reason, 'rejection')
  })
  return runtime
}
