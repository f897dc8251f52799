import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { OutputWrite } from '../../common/repl-contract'
import { OutputRouter } from '../engine/output'
import { TaskManager } from '../engine/tasks'
import { runShell } from './bash'
import { isGone } from '../../../test/support/process'

const startDir = process.cwd()
afterEach(() => process.chdir(startDir))

function setup() {
  const output = new OutputRouter({ partialLineMs: 1 })
  const writes: OutputWrite[] = []
  output.onDidWrite((w) => writes.push(w))
  const tasks = new TaskManager()
  return { output, tasks, writes }
}

const alive = (pid: number): boolean => !isGone(pid)

describe('BASH mode', () => {
  it('runs a command as a task, its output on the bash channel', async () => {
    const deps = setup()
    const result = await runShell('echo hello; echo oops >&2; exit 3', 1, deps)
    expect(result).toMatchObject({ ok: false, error: { message: 'exited with code 3' } })
    expect(deps.writes.map((w) => [w.channel, w.stream, w.taskId, w.text])).toEqual([
      ['bash', 'stdout', 'b1', 'hello\n'],
      ['bash', 'stderr', 'b1', 'oops\n']
    ])
    expect(deps.tasks.list()[0]).toMatchObject({ id: 'b1', kind: 'bash', state: 'failed' })
  })

  it('cd changes the working directory in-process; later commands run there', async () => {
    const deps = setup()
    const dir = mkdtempSync(join(tmpdir(), 'cortex-cd-'))
    expect(await runShell(`cd ${dir}`, 1, deps)).toMatchObject({ ok: true })
    expect(process.cwd()).toBe(dir)
    await runShell('pwd', 2, deps)
    expect(deps.writes.at(-1)!.text).toBe(`${dir}\n`)
    expect(await runShell('cd /no/such/dir', 3, deps)).toMatchObject({ ok: false, error: { message: 'no such directory: /no/such/dir' } })
  })

  it('cancelling kills the whole process group, grandchildren included', async () => {
    const deps = setup()
    const dir = mkdtempSync(join(tmpdir(), 'cortex-kill-'))
    const pidFile = join(dir, 'pids')
    const controller = new AbortController()
    const running = runShell(`sleep 30 & echo $! > ${pidFile}; echo $$ >> ${pidFile}; wait`, 1, { ...deps, signal: controller.signal })
    let pids: number[] = []
    for (let i = 0; i < 100 && pids.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20))
      try {
        pids = readFileSync(pidFile, 'utf8').trim().split('\n').filter(Boolean).map(Number)
      } catch {
        // not written yet
      }
    }
    expect(pids).toHaveLength(2)
    controller.abort()
    expect(await running).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 20))
    expect(pids.filter(alive)).toEqual([])
  })
})
