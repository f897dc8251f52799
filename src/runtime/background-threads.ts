import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import type { Logger } from '../common/logger'

/** The threads Node's platform starts before any JavaScript runs: its delayed-task thread and 4 workers. */
const NODE_PLATFORM_THREADS = 1 + 4

/**
 * Runs V8's background threads (its optimizing compiler, concurrent marking) at SCHED_IDLE, so
 * that they never hold a core that an interactive process is waiting for: the terminal or pipe
 * reading this process's output, the window's host, our own main thread.
 *
 * Why: on two cores, a process woken by our output was often queued behind one of these threads
 * while the other core went idle, and Linux's scheduler (EEVDF) let that thread finish its slice
 * first: a 0.3 ms round trip took 2–5 ms. SCHED_IDLE is the one policy any normal thread preempts
 * at once (nice 19 measured no better than 0). Browsers lower their V8 background threads' priority
 * for the same reason. The cost: with every core busy, optimized code arrives later.
 *
 * Which threads: Node's platform creates its delayed-task thread and then its 4 workers before the
 * first line of JavaScript (src/node_platform.cc), and /proc lists a process's threads in the order
 * they were created, so they are the 5 after the main one. Later threads keep their priority: libuv's
 * pool (files, DNS), the loader thread, workers started by user code. Skipped where that layout is
 * not known: outside Linux, in Electron (Chromium's threads), with --v8-pool-size, and when
 * CORTEX_BACKGROUND_THREADS=normal (for comparisons).
 */
export function idleV8BackgroundThreads(log: Logger, env: NodeJS.ProcessEnv = process.env): void {
  const tids = v8BackgroundThreads(env)
  if (tids.length === 0) return
  // chrt (util-linux) sets one thread's policy per call; one shell runs them all: a single fork of this process.
  const child = execFile('/bin/sh', ['-c', 'for t; do chrt --idle -p 0 "$t" || exit 1; done', 'sh', ...tids], (error) => {
    if (error) log.info('V8 background threads keep their priority', { reason: error.message })
  })
  child.unref()
}

/** The thread ids of Node's platform threads, or none where their layout is not known (see idleV8BackgroundThreads). */
export function v8BackgroundThreads(env: NodeJS.ProcessEnv = process.env): string[] {
  if (process.platform !== 'linux' || process.versions['electron'] !== undefined) return []
  if (env['CORTEX_BACKGROUND_THREADS'] === 'normal') return []
  if ([...process.execArgv, env['NODE_OPTIONS'] ?? ''].some((arg) => arg.includes('--v8-pool-size'))) return []
  let threads: string[]
  try {
    threads = readdirSync('/proc/self/task')
  } catch {
    return []
  }
  // The main thread first (its id is the pid), then the rest in the order they were created.
  if (threads[0] !== String(process.pid) || threads.length < 1 + NODE_PLATFORM_THREADS) return []
  return threads.slice(1, 1 + NODE_PLATFORM_THREADS)
}
