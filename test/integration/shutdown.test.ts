import { execSync } from 'node:child_process'
import { once } from 'node:events'
import { beforeAll, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../../src/common/logger'
import { PortMux } from '../../src/common/protocol/mux'
import { RpcClient } from '../../src/common/protocol/rpc'
import { runtimeContract } from '../../src/common/runtime-contract'
import { launchRuntimeChild } from '../../src/webhost/runtime-process'
import { assertBuilt, built } from '../support/built'
import { isGone } from '../support/process'

beforeAll(() => assertBuilt())

/** Every process whose process group or parent chain leads back to `pid`, from the process table. */
function descendants(pid: number): number[] {
  const table = execSync('ps -eo pid=,ppid=,pgid=,stat=')
    .toString()
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => !cols[3]!.startsWith('Z')) // zombies are dead (this container's PID 1 never reaps them)
    .map(([p, pp, pg]) => ({ pid: Number(p), ppid: Number(pp), pgid: Number(pg) }))
  const found = new Set<number>([pid])
  let grew = true
  while (grew) {
    grew = false
    for (const row of table) {
      if (found.has(row.pid) || !found.has(row.ppid)) continue
      found.add(row.pid)
      grew = true
    }
  }
  found.delete(pid)
  return [...found]
}

describe('pitfall-10 graceful shutdown', () => {
  it('SIGTERM cancels the running tasks, kills their process groups and exits: no child outlives the runtime', async () => {
    const child = launchRuntimeChild(built.runtime, new MemoryLogger(), () => {})
    const mux = new PortMux(child.port, new MemoryLogger())
    const client = new RpcClient(mux.open(), runtimeContract, new MemoryLogger())
    await client.call('repl.evaluate', { code: '1' })
    // A shell command that started its own children, and an evaluation that never ends.
    void client.call('repl.evaluate', { code: 'sleep 300 & sleep 301 & wait', mode: 'bash' }).catch(() => undefined)
    void client.call('repl.evaluate', { code: 'await new Promise(() => {})' }).catch(() => undefined)
    let spawned: number[] = []
    for (let i = 0; i < 100 && spawned.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 20))
      spawned = descendants(child.pid!)
    }
    expect(spawned.length).toBeGreaterThanOrEqual(3) // sh and two sleeps
    const started = Date.now()
    const exited = once(child.process, 'exit')
    child.process.kill('SIGTERM')
    const [code] = await exited
    expect(code).toBe(0)
    expect(Date.now() - started).toBeLessThan(3000)
    await new Promise((r) => setTimeout(r, 100))
    const alive = spawned.filter((pid) => !isGone(pid))
    expect(alive).toEqual([])
  })
})
