import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt } from '../support/built'

/**
 * V8's background threads run at SCHED_IDLE in every process that holds the runtime (see
 * src/runtime/background-threads.ts), and they are the threads V8 compiles on: checked here on the
 * real processes through /proc (Linux only, as the feature).
 */
const TERMINAL = resolve('out/main/terminal.js')
const SCHED_OTHER = '0'
const SCHED_IDLE = '5'
/** Makes V8 optimize 100 functions, concurrently (TurboFan compiles on its background threads). */
const HOT_FUNCTIONS =
  "for (let k = 0; k < 100; k++) { const f = new Function('x', 'let s = 0; for (let j = 0; j < 1000; j++) s += x * j + ' + k + '; return s'); for (let n = 0; n < 300; n++) f(n) }; 'optimized'"

interface Thread {
  tid: string
  policy: string
  /** Time on a CPU, in ns. */
  cpu: number
}

/** A process's threads, in the order they were created (the main one first). */
function threadsOf(pid: number): Thread[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => ({
    tid,
    policy: readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[38]!,
    cpu: Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
  }))
}

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

/** The terminal client in a pipe, with a way to run an input and wait for its result. */
function cortex(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; run: (input: string, result: string) => Promise<void> } {
  const child = spawn(process.execPath, [TERMINAL, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'inherit'] })
  children.push(child)
  let stdout = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  const run = async (input: string, result: string): Promise<void> => {
    const from = stdout.length
    child.stdin!.write(`${input}\n`)
    const deadline = Date.now() + 20_000
    while (!stdout.slice(from).includes(result)) {
      if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(result)} for ${JSON.stringify(input)}; got ${JSON.stringify(stdout)}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  return { child, run }
}

/** The 5 threads after the main one, once their policy was set (a shell sets it, just after the start). */
async function idleThreadsOf(pid: number): Promise<Thread[]> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const platform = threadsOf(pid).slice(1, 6)
    if (platform.every((thread) => thread.policy === SCHED_IDLE) || Date.now() > deadline) return platform
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe.skipIf(process.platform !== 'linux')("V8's background threads", () => {
  beforeAll(() => assertBuilt())

  it('run at SCHED_IDLE in the pipe mode; the main thread and later threads keep the normal policy; V8 compiles on them', async () => {
    const { child, run } = cortex([])
    await run('1 + 1', '2\n')
    const pid = child.pid!
    const idle = await idleThreadsOf(pid)
    expect(idle.map((thread) => thread.policy)).toEqual(Array(5).fill(SCHED_IDLE))
    const before = threadsOf(pid)
    expect(before[0]).toMatchObject({ tid: String(pid), policy: SCHED_OTHER })
    // libuv's pool (the store's files, DNS) and whatever started later keep the normal policy.
    expect(before.slice(6).map((thread) => thread.policy)).toEqual(Array(before.length - 6).fill(SCHED_OTHER))

    await run(HOT_FUNCTIONS, "'optimized'")
    const after = new Map(threadsOf(pid).map((thread) => [thread.tid, thread.cpu]))
    const spent = (threads: Thread[]): number => threads.reduce((sum, thread) => sum + (after.get(thread.tid) ?? thread.cpu) - thread.cpu, 0) / 1e6
    const onIdle = spent(before.slice(1, 6))
    const onOthers = spent(before.slice(6))
    // The optimizing compiler's work lands on the idle threads: they are V8's (Node's layout held).
    expect(onIdle).toBeGreaterThan(20)
    expect(onOthers).toBeLessThan(onIdle / 4)
  })

  it('run at SCHED_IDLE in a runtime process of its own too (--runtime-process)', async () => {
    const { child, run } = cortex(['--runtime-process'])
    await run('1 + 1', '2\n')
    const runtimePid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(' ')[0])
    expect(runtimePid).toBeGreaterThan(0)
    expect((await idleThreadsOf(runtimePid)).map((thread) => thread.policy)).toEqual(Array(5).fill(SCHED_IDLE))
    expect(threadsOf(runtimePid)[0]!.policy).toBe(SCHED_OTHER)
  })

  it('keep the normal policy with CORTEX_BACKGROUND_THREADS=normal', async () => {
    const { child, run } = cortex([], { CORTEX_BACKGROUND_THREADS: 'normal' })
    await run('1 + 1', '2\n')
    // Give a shell, were one started, the time it takes elsewhere.
    await new Promise((r) => setTimeout(r, 500))
    expect(threadsOf(child.pid!).map((thread) => thread.policy)).toEqual(Array(threadsOf(child.pid!).length).fill(SCHED_OTHER))
  })
})
