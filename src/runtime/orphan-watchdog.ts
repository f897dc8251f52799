import { Worker } from 'node:worker_threads'

/**
 * Ends a runtime process whose host is gone for good. A runtime whose host dies shuts itself down
 * on 'disconnect', unless its event loop is stuck (an endless loop in a timer's code, say): then
 * nothing on its main thread can run, and it would spin on, orphaned, at 100 % of a core. This
 * worker thread keeps watching the parent's pid: once the process has been reparented for
 * `graceMs` (the orderly shutdown takes at most about 2 s), it kills it.
 */
export function killWhenOrphaned(graceMs = 5000): void {
  const watch = `
    const { workerData } = require('node:worker_threads')
    let goneSince
    setInterval(() => {
      if (process.ppid === workerData.parent) return
      goneSince ??= Date.now()
      if (Date.now() - goneSince >= workerData.graceMs) process.kill(process.pid, 'SIGKILL')
    }, 500)`
  new Worker(watch, { eval: true, workerData: { parent: process.ppid, graceMs }, stdout: false, stderr: false }).unref()
}
