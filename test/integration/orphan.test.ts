import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { MemoryLogger } from '../../src/common/logger'
import { RpcClient } from '../../src/common/protocol/rpc'
import { fromWebSocket } from '../../src/common/protocol/transports/websocket'
import { runtimeContract } from '../../src/common/runtime-contract'
import { resultText } from '../support/ansi'
import { assertBuilt, built } from '../support/built'
import { until } from '../support/until'
import { isGone } from '../support/process'

let project: string
beforeAll(() => {
  assertBuilt()
  project = mkdtempSync(join(tmpdir(), 'cortex-orphan-'))
})
afterAll(() => rmSync(project, { recursive: true, force: true }))

const alive = (pid: number): boolean => !isGone(pid)

it('a runtime whose host is killed while its event loop is stuck ends itself within seconds: no orphan spins on', async () => {
  // `cortex web` as a process of its own, so that it can be killed without a chance to clean up.
  const host = spawn(process.execPath, [built.webhost, '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'ignore'] })
  const url = await new Promise<URL>((resolve, reject) => {
    let stdout = ''
    host.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stdout)
      if (match) resolve(new URL(match[1]!))
    })
    host.once('exit', (code) => reject(new Error(`the host exited (${code})`)))
  })
  const ws = new WebSocket(`ws://127.0.0.1:${url.port}/runtime?token=${url.searchParams.get('token')}`)
  await new Promise((resolve) => ws.once('open', resolve))
  const runtime = new RpcClient(fromWebSocket(ws), runtimeContract, new MemoryLogger())
  const pid = Number(resultText(await runtime.call('repl.evaluate', { code: '(await import("node:process")).pid' })))
  expect(alive(pid)).toBe(true)
  // A loop in a timer's code: the runtime cannot hear that its host is gone.
  await runtime.call('repl.evaluate', { code: 'setTimeout(() => { while (true) {} }, 200); "armed"' })
  await new Promise((resolve) => setTimeout(resolve, 400))
  host.kill('SIGKILL')
  runtime.dispose()
  try {
    await until(() => !alive(pid), 15_000, 'the orphaned runtime to end')
  } finally {
    if (alive(pid)) process.kill(pid, 'SIGKILL') // a failure here leaves no process behind
  }
}, 30_000)
