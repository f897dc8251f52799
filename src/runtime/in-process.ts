/**
 * The runtime in its host's own process, for the terminal client's pipe mode (`… | cortex`,
 * `cortex --script FILE`): one process and two pipe writes per input, as `node -i` has, instead of
 * client → runtime process → client. Built as an entry of its own (out/main/runtime-inprocess.js)
 * beside loader.js, which it registers by a relative path, as main.ts does.
 *
 * What sharing the process changes: the loader hooks are registered in the host's process; the
 * host's stdout carries only what the host prints (the runtime's log goes to the host's logger,
 * user output through the OutputRouter as for any client); `process.exit()` in an input ends the
 * host (its tasks' process groups are killed on the way out); the host's SIGTERM and SIGHUP
 * handlers cannot run while an input runs synchronously, so for that time those signals end the
 * process at once (see RuntimeOptions.signalsDuringSyncRuns); and, with no timeline to show them,
 * spans are recorded only when asked for (a collector, CORTEX_TRACING=on, `%trace on`).
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { InProcessRuntime } from '../common/in-process-runtime'
import type { Logger } from '../common/logger'
import { hostRuntime } from './host'

export function startInProcessRuntime(log: Logger): InProcessRuntime {
  const runtime = hostRuntime('in-process', log, join(dirname(fileURLToPath(import.meta.url)), 'loader.js'), {
    signalsDuringSyncRuns: ['SIGTERM', 'SIGHUP'],
    // No timeline to show them: spans and their live feed took a fifth to a quarter of the pipe
    // mode's CPU per input (measured with `1 + i`: 720–770 µs with them, 490–620 without, on a loaded machine).
    traceByDefault: false
  })
  // An input that calls process.exit() skips the orderly shutdown: still, no shell command it started outlives it.
  process.once('exit', () => runtime.tasks.cancelAll('the process is exiting'))
  return {
    connect: (port) => void runtime.connect(port),
    shutdown: async () => void (await runtime.shutdown())
  }
}
