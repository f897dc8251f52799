import { spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { resolve } from 'node:path'
import type { EvalResult } from '../../common/runtime-contract'
import type { OutputRouter } from '../engine/output'
import type { TaskManager } from '../engine/tasks'

/**
 * BASH mode: each command runs as a task in its own process group (Ctrl+C or cancel kills the
 * group, so nothing it started survives); its output goes to the bash channel. `cd` changes the
 * runtime's working directory in-process, so later commands and relative imports follow it.
 */
export async function runShell(command: string, evalId: number, deps: { output: OutputRouter; tasks: TaskManager; signal?: AbortSignal }): Promise<EvalResult> {
  const cd = /^\s*cd(?:\s+(.*?))?\s*$/.exec(command)
  if (cd) {
    const target = resolve(process.cwd(), (cd[1] ?? '~').replace(/^~(?=$|\/)/, homedir()).replace(/^(['"])(.*)\1$/, '$2'))
    if (!existsSync(target) || !statSync(target).isDirectory())
      return { evalId, ok: false, error: { name: 'cd', message: `no such directory: ${target}`, code: 'exit' } }
    process.chdir(target)
    return { evalId, ok: true, text: target }
  }
  const task = deps.tasks.create('bash', command.slice(0, 80), { channel: 'bash', parent: deps.signal })
  return new Promise<EvalResult>((done) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: process.cwd(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '1' }
    })
    if (child.pid) task.adoptProcess(child.pid)
    const from = { taskId: task.id, evalId }
    child.stdout!.setEncoding('utf8').on('data', (text: string) => deps.output.write('bash', 'stdout', text, from))
    child.stderr!.setEncoding('utf8').on('data', (text: string) => deps.output.write('bash', 'stderr', text, from))
    const finish = (result: EvalResult, state: 'done' | 'failed' | 'cancelled', detail?: string): void => {
      deps.output.endTask(task.id)
      task.finish(state, detail)
      done(result)
    }
    child.once('error', (error) => finish({ evalId, ok: false, error: { name: 'ShellError', message: error.message, code: 'exit' } }, 'failed', error.message))
    child.once('close', (code, signal) => {
      if (task.signal.aborted)
        return finish({ evalId, ok: false, error: { name: 'Cancelled', message: 'the command was cancelled', code: 'cancelled' } }, 'cancelled')
      if (code === 0) return finish({ evalId, ok: true, text: '' }, 'done')
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`
      finish({ evalId, ok: false, error: { name: 'ExitStatus', message: why, code: 'exit' } }, 'failed', why)
    })
  })
}
