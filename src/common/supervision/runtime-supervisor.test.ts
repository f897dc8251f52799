import { describe, expect, it } from 'vitest'
import { Emitter } from '../event'
import { MemoryLogger } from '../logger'
import { RestartPolicy } from './restart-policy'
import { RuntimeSupervisor, type ProcessExit, type RuntimeStatus, type SupervisedProcess } from './runtime-supervisor'

class FakeProcess implements SupervisedProcess {
  private readonly exits = new Emitter<ProcessExit>()
  readonly onExit = this.exits.event
  killed = false
  constructor(readonly pid: number) {}
  kill(): void {
    this.killed = true
    this.exits.fire({ code: null, signal: 'SIGTERM' })
  }
  crash(exit: ProcessExit = { code: null, signal: 'SIGKILL' }): void {
    this.exits.fire(exit)
  }
}

function setup(answer: boolean | (() => Promise<boolean>) | 'window asks' = false) {
  let now = 0
  const launched: FakeProcess[] = []
  const statuses: RuntimeStatus[] = []
  const asked: RuntimeStatus[] = []
  const supervisor = new RuntimeSupervisor({
    launch: () => {
      const child = new FakeProcess(100 + launched.length)
      launched.push(child)
      return child
    },
    ...(answer === 'window asks'
      ? {}
      : {
          confirmRestart: async (_exit: ProcessExit, status: RuntimeStatus) => {
            asked.push(status)
            return typeof answer === 'function' ? answer() : answer
          }
        }),
    log: new MemoryLogger(),
    policy: new RestartPolicy(3, 5 * 60_000, () => now)
  })
  supervisor.onDidChangeStatus((status) => statuses.push(status))
  return { supervisor, launched, statuses, asked, advance: (ms: number) => (now += ms) }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('RuntimeSupervisor', () => {
  it('restarts a crashed runtime and says what was lost', () => {
    const { supervisor, launched, statuses } = setup()
    supervisor.start()
    launched[0]!.crash()
    expect(launched).toHaveLength(2)
    expect(supervisor.status).toMatchObject({ state: 'running', pid: 101, restarts: 1 })
    expect(statuses.at(-1)!.message).toMatch(/exited unexpectedly \(signal SIGKILL\).*namespace.*lost.*Restarted it \(1 of 3/)
  })

  it('stops restarting on its own after 3 crashes in 5 minutes, and asks', async () => {
    const { supervisor, launched, asked } = setup(false)
    supervisor.start()
    for (let i = 0; i < 3; i++) launched.at(-1)!.crash()
    expect(launched).toHaveLength(4)
    launched.at(-1)!.crash({ code: 1, signal: null })
    expect(launched).toHaveLength(4)
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({ state: 'crashed' })
    expect(asked[0]!.message).toContain('exit code 1')
    await settle()
    expect(supervisor.status.state).toBe('stopped')
  })

  it('without a dialog (the browser mode) it stays crashed, saying so, until a window restarts it', async () => {
    const { supervisor, launched } = setup('window asks')
    supervisor.start()
    for (let i = 0; i < 4; i++) launched.at(-1)!.crash()
    await settle()
    expect(launched).toHaveLength(4)
    expect(supervisor.status).toMatchObject({ state: 'crashed', restarts: 3 })
    expect(supervisor.status.message).toContain('It crashed 4 times within 5 minutes, so it was not restarted automatically.')
    supervisor.restart()
    expect(launched).toHaveLength(5)
    expect(supervisor.status).toMatchObject({ state: 'running', restarts: 0 })
  })

  it('restarts after the user says so, with a fresh count', async () => {
    const { supervisor, launched } = setup(true)
    supervisor.start()
    for (let i = 0; i < 4; i++) launched.at(-1)!.crash()
    await settle()
    expect(launched).toHaveLength(5)
    expect(supervisor.status).toMatchObject({ state: 'running', restarts: 0 })
  })

  it('forgets crashes older than the window', () => {
    const { supervisor, launched, advance } = setup()
    supervisor.start()
    for (let i = 0; i < 3; i++) launched.at(-1)!.crash()
    advance(5 * 60_000 + 1)
    launched.at(-1)!.crash()
    expect(launched).toHaveLength(5)
  })

  it('a requested restart kills the old process and is not a crash', () => {
    const { supervisor, launched, asked } = setup()
    supervisor.start()
    supervisor.restart()
    expect(launched[0]!.killed).toBe(true)
    expect(launched).toHaveLength(2)
    expect(supervisor.status).toMatchObject({ state: 'running', restarts: 0 })
    expect(asked).toHaveLength(0)
  })

  it('stop() leaves it stopped', () => {
    const { supervisor, launched } = setup()
    supervisor.start()
    supervisor.stop()
    expect(launched[0]!.killed).toBe(true)
    expect(launched).toHaveLength(1)
    expect(supervisor.status.state).toBe('stopped')
  })
})
