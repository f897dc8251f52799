import type { WebContents } from 'electron'
import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import { IpcChannel } from '../common/bridge'
import { MemoryLogger } from '../common/logger'
import type { RuntimeStatus } from '../common/supervision/runtime-supervisor'
import { RuntimeHost } from './runtime-host'

const electron = await vi.hoisted(async () => {
  const { EventEmitter } = await import('node:events')

  /** A utilityProcess child: Node events, recorded messages, and a kill() that exits it asynchronously. */
  class FakeUtilityProcess extends EventEmitter {
    static nextPid = 1000
    /** Like Electron: unknown until the process has spawned. */
    pid: number | undefined = undefined
    readonly stdout = new EventEmitter()
    readonly stderr = new EventEmitter()
    readonly messages: Array<{ message: unknown; transfer: unknown[] | undefined }> = []
    killed = false

    constructor(
      readonly modulePath: string,
      readonly args: string[] | undefined,
      readonly options: unknown
    ) {
      super()
      setImmediate(() => {
        if (this.killed) return
        this.pid = FakeUtilityProcess.nextPid++
        this.emit('spawn')
      })
    }

    postMessage(message: unknown, transfer?: unknown[]): void {
      // The runtime answers main's heartbeat from its event loop.
      const ping = message as { kind?: unknown; id?: unknown } | null
      if (ping?.kind === 'ping') return void setImmediate(() => this.emit('message', { kind: 'pong', id: ping.id }))
      this.messages.push({ message, transfer })
    }

    kill(): boolean {
      if (this.killed) return false
      this.killed = true
      setImmediate(() => this.exit(null))
      return true
    }

    /** The process ends (a crash when called directly by a test). */
    exit(code: number | null): void {
      this.pid = undefined
      this.emit('exit', code)
    }
  }

  class FakeMessagePort {
    constructor(
      readonly channel: number,
      readonly side: 1 | 2
    ) {}
  }

  class MessageChannelMain {
    static count = 0
    readonly port1: FakeMessagePort
    readonly port2: FakeMessagePort
    constructor() {
      const channel = ++MessageChannelMain.count
      this.port1 = new FakeMessagePort(channel, 1)
      this.port2 = new FakeMessagePort(channel, 2)
    }
  }

  const children: FakeUtilityProcess[] = []
  const utilityProcess = {
    fork: (modulePath: string, args?: string[], options?: unknown) => {
      const child = new FakeUtilityProcess(modulePath, args, options)
      children.push(child)
      return child
    }
  }

  return { children, utilityProcess, MessageChannelMain, FakeMessagePort, EventEmitter }
})

vi.mock('electron', () => ({ utilityProcess: electron.utilityProcess, MessageChannelMain: electron.MessageChannelMain }))

type FakeChild = (typeof electron.children)[number]
type FakePort = InstanceType<typeof electron.FakeMessagePort>

/** A window's WebContents: records what main sends it; `destroy()` plays the window closing. */
class FakeWebContents extends electron.EventEmitter {
  destroyed = false
  readonly sent: Array<{ channel: string; payload: unknown }> = []
  readonly posted: Array<{ channel: string; message: unknown; transfer: unknown[] | undefined }> = []

  isDestroyed(): boolean {
    return this.destroyed
  }

  send(channel: string, payload: unknown): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
    this.sent.push({ channel, payload })
  }

  postMessage(channel: string, message: unknown, transfer?: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed')
    this.posted.push({ channel, message, transfer })
  }

  destroy(): void {
    this.destroyed = true
    this.emit('destroyed')
  }

  get statuses(): RuntimeStatus[] {
    return this.sent.filter((s) => s.channel === IpcChannel.runtimeStatus).map((s) => s.payload as RuntimeStatus)
  }

  get lastStatus(): RuntimeStatus | undefined {
    return this.statuses.at(-1)
  }

  get ports(): FakePort[] {
    return this.posted.filter((p) => p.channel === IpcChannel.runtimePort).map((p) => p.transfer?.[0] as FakePort)
  }

  get lastPort(): FakePort | undefined {
    return this.ports.at(-1)
  }
}

const RUNTIME_PATH = '/opt/cortex/out/main/runtime.js'

let hosts: RuntimeHost[] = []

function setup(confirm: (status: RuntimeStatus) => Promise<boolean> = async () => false): {
  host: RuntimeHost
  log: MemoryLogger
  confirmRestart: ReturnType<typeof vi.fn<(status: RuntimeStatus) => Promise<boolean>>>
} {
  const log = new MemoryLogger()
  const confirmRestart = vi.fn(confirm)
  const host = new RuntimeHost({ runtimePath: RUNTIME_PATH, log, confirmRestart })
  hosts.push(host)
  return { host, log, confirmRestart }
}

function attach(host: RuntimeHost): FakeWebContents {
  const contents = new FakeWebContents()
  host.attachWindow(contents as unknown as WebContents)
  return contents
}

function children(): FakeChild[] {
  return electron.children
}

function lastChild(): FakeChild {
  const child = electron.children.at(-1)
  if (!child) throw new Error('nothing was forked')
  return child
}

/** The ports the child received, in order. */
function portsOf(child: FakeChild): FakePort[] {
  return child.messages.map((m) => m.transfer?.[0] as FakePort)
}

/** Lets pending promise callbacks and setImmediate callbacks (kill → exit) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

beforeEach(() => {
  electron.children.length = 0
})

afterEach(() => {
  for (const host of hosts) host.dispose()
  hosts = []
  vi.useRealTimers()
})

describe('RuntimeHost', () => {
  it('does not fork anything before start()', () => {
    const { host } = setup()
    expect(children()).toHaveLength(0)
    expect(host.status.state).toBe('stopped')
  })

  it('forks the given runtime entry on start() with piped output', () => {
    const { host } = setup()
    host.start()
    expect(children()).toHaveLength(1)
    expect(lastChild().modulePath).toBe(RUNTIME_PATH)
    expect(lastChild().options).toMatchObject({ stdio: 'pipe' })
    expect(host.status.state).toBe('running')
  })

  it('forks only once when start() is called twice', () => {
    const { host } = setup()
    host.start()
    host.start()
    expect(children()).toHaveLength(1)
  })

  it('sends an attached window the current status on the runtime status channel', () => {
    const { host } = setup()
    host.start()
    const window = attach(host)
    expect(window.sent[0]).toEqual({ channel: IpcChannel.runtimeStatus, payload: host.status })
    expect(window.lastStatus?.state).toBe('running')
  })

  it('gives an attached window a port whose other end goes to the child', () => {
    const { host } = setup()
    host.start()
    const window = attach(host)
    const child = lastChild()

    expect(child.messages).toHaveLength(1)
    expect(child.messages[0]?.message).toEqual({ kind: 'attach' })
    const childPort = portsOf(child)[0]
    expect(childPort?.side).toBe(1)

    expect(window.posted).toHaveLength(1)
    expect(window.posted[0]).toMatchObject({ channel: IpcChannel.runtimePort, message: null })
    expect(window.lastPort?.side).toBe(2)
    expect(window.lastPort?.channel).toBe(childPort?.channel)
  })

  it('attaching the same window twice does not hand out a second port', () => {
    const { host } = setup()
    host.start()
    const window = new FakeWebContents()
    host.attachWindow(window as unknown as WebContents)
    host.attachWindow(window as unknown as WebContents)
    expect(window.ports).toHaveLength(1)
    expect(lastChild().messages).toHaveLength(1)
  })

  it('sendPort gives a window a fresh channel to the current child each time (after a reload, say)', () => {
    const { host } = setup()
    host.start()
    const window = new FakeWebContents()
    host.sendPort(window as unknown as WebContents)
    host.sendPort(window as unknown as WebContents)

    const child = lastChild()
    expect(child.messages.map((m) => m.message)).toEqual([{ kind: 'attach' }, { kind: 'attach' }])
    expect(window.ports).toHaveLength(2)
    expect(window.ports[0]?.channel).not.toBe(window.ports[1]?.channel)
    expect(window.ports.map((p) => p.channel)).toEqual(portsOf(child).map((p) => p.channel))
  })

  it('sendPort does nothing before the runtime has started', () => {
    const { host } = setup()
    const window = new FakeWebContents()
    host.sendPort(window as unknown as WebContents)
    expect(window.posted).toEqual([])
  })

  it('a window attached before start() gets its port once the runtime launches', () => {
    const { host } = setup()
    const window = attach(host)
    expect(window.lastStatus?.state).toBe('stopped')
    expect(window.ports).toHaveLength(0)

    host.start()
    expect(window.ports).toHaveLength(1)
    expect(window.lastPort?.channel).toBe(portsOf(lastChild())[0]?.channel)
    expect(window.lastStatus?.state).toBe('running')
  })

  it('restarts a crashed runtime and gives every window a new port and a status that mentions the exit', () => {
    const { host, confirmRestart, log } = setup()
    host.start()
    const first = lastChild()
    const a = attach(host)
    const b = attach(host)

    first.exit(1)

    expect(children()).toHaveLength(2)
    const second = lastChild()
    expect(second).not.toBe(first)
    expect(second.modulePath).toBe(RUNTIME_PATH)
    expect(confirmRestart).not.toHaveBeenCalled()

    // Each window got a new port, and its other end went to the new child.
    const secondPorts = portsOf(second).map((p) => p.channel)
    for (const window of [a, b]) {
      expect(window.ports).toHaveLength(2)
      expect(secondPorts).toContain(window.lastPort?.channel)
      expect(window.lastStatus?.state).toBe('running')
      expect(window.lastStatus?.message).toMatch(/exited unexpectedly \(exit code 1\)/)
      expect(window.statuses.map((s) => s.state)).toContain('restarting')
    }
    expect(host.status.restarts).toBe(1)
    expect(log.records.some((r) => r.level === 'error' && r.message.includes('exit code 1'))).toBe(true)
  })

  it('restarts automatically 3 times, then asks before a 4th restart instead of forking', async () => {
    const { host, confirmRestart } = setup(() => new Promise<boolean>(() => {}))
    host.start()
    const window = attach(host)

    for (let i = 0; i < 3; i++) lastChild().exit(1)
    expect(children()).toHaveLength(4)
    expect(confirmRestart).not.toHaveBeenCalled()

    lastChild().exit(1)
    await settle()

    expect(children()).toHaveLength(4)
    expect(confirmRestart).toHaveBeenCalledTimes(1)
    const asked = confirmRestart.mock.calls[0]?.[0]
    expect(asked?.state).toBe('crashed')
    expect(asked?.message).toMatch(/exit code 1/)
    expect(window.lastStatus?.state).toBe('crashed')
    expect(host.status.state).toBe('crashed')
  })

  it('forks a new runtime when the user confirms the restart after repeated crashes', async () => {
    const { host, confirmRestart } = setup(async () => true)
    host.start()
    const window = attach(host)

    for (let i = 0; i < 4; i++) lastChild().exit(1)
    await settle()

    expect(confirmRestart).toHaveBeenCalledTimes(1)
    expect(children()).toHaveLength(5)
    expect(host.status.state).toBe('running')
    expect(window.lastStatus?.state).toBe('running')
    expect(window.lastPort?.channel).toBe(portsOf(lastChild()).at(-1)?.channel)

    // The count starts again: the next crash restarts on its own.
    lastChild().exit(1)
    await settle()
    expect(children()).toHaveLength(6)
    expect(confirmRestart).toHaveBeenCalledTimes(1)
  })

  it('leaves the runtime stopped when the user declines the restart', async () => {
    const { host, confirmRestart } = setup(async () => false)
    host.start()
    const window = attach(host)
    const portsBefore = window.ports.length

    for (let i = 0; i < 4; i++) lastChild().exit(1)
    await settle()

    expect(confirmRestart).toHaveBeenCalledTimes(1)
    expect(children()).toHaveLength(4)
    expect(host.status.state).toBe('stopped')
    expect(window.lastStatus?.state).toBe('stopped')
    expect(window.ports).toHaveLength(portsBefore + 3)

    // No child to talk to: a window asking for a port gets none.
    host.sendPort(window as unknown as WebContents)
    expect(window.ports).toHaveLength(portsBefore + 3)
  })

  it('leaves the runtime stopped when asking the user fails', async () => {
    const { host } = setup(async () => {
      throw new Error('dialog failed')
    })
    host.start()
    for (let i = 0; i < 4; i++) lastChild().exit(1)
    await settle()
    expect(children()).toHaveLength(4)
    expect(host.status.state).toBe('stopped')
  })

  it('counts only the crashes of the last 5 minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'))
    const { host, confirmRestart } = setup()
    host.start()

    for (let i = 0; i < 3; i++) lastChild().exit(1)
    expect(children()).toHaveLength(4)

    vi.setSystemTime(new Date('2030-01-01T00:05:00.001Z'))
    lastChild().exit(1)
    await settle()

    expect(confirmRestart).not.toHaveBeenCalled()
    expect(children()).toHaveLength(5)
    expect(host.status.state).toBe('running')
  })

  it('restart() kills the current child and forks a new one without asking, even after many crashes', async () => {
    const { host, confirmRestart } = setup()
    host.start()
    for (let i = 0; i < 3; i++) lastChild().exit(1)
    const window = attach(host)
    const current = lastChild()
    const portsBefore = window.ports.length

    host.restart()

    expect(current.killed).toBe(true)
    expect(children()).toHaveLength(5)
    expect(lastChild()).not.toBe(current)
    expect(window.ports).toHaveLength(portsBefore + 1)
    expect(window.lastPort?.channel).toBe(portsOf(lastChild())[0]?.channel)
    expect(window.lastStatus?.state).toBe('running')
    expect(window.lastStatus?.message).toMatch(/restarted on request/)

    // The killed child's exit arrives later and is not taken for a crash.
    await settle()
    expect(children()).toHaveLength(5)
    expect(confirmRestart).not.toHaveBeenCalled()
    expect(host.status.state).toBe('running')

    // ...and does not make main forget the new child: a reloaded window still gets a port to it.
    const newChild = lastChild()
    host.sendPort(window as unknown as WebContents)
    expect(newChild.messages).toHaveLength(2)
    expect(window.lastPort?.channel).toBe(portsOf(newChild).at(-1)?.channel)

    // A user restart resets the crash count: the next crash restarts on its own.
    lastChild().exit(1)
    await settle()
    expect(children()).toHaveLength(6)
    expect(confirmRestart).not.toHaveBeenCalled()
  })

  it('a destroyed window no longer receives ports or statuses', () => {
    const { host } = setup()
    host.start()
    const kept = attach(host)
    const closed = attach(host)
    const sentBefore = closed.sent.length
    const postedBefore = closed.posted.length

    closed.destroy()
    lastChild().exit(1)
    host.restart()

    expect(closed.sent).toHaveLength(sentBefore)
    expect(closed.posted).toHaveLength(postedBefore)
    expect(kept.ports).toHaveLength(3)
  })

  it('skips a window that is already destroyed but has not emitted destroyed yet', () => {
    const { host } = setup()
    host.start()
    const window = attach(host)
    window.destroyed = true

    expect(() => lastChild().exit(1)).not.toThrow()
    expect(() => host.sendPort(window as unknown as WebContents)).not.toThrow()
    expect(window.ports).toHaveLength(1)
    expect(window.statuses).toHaveLength(1)
    expect(children()).toHaveLength(2)
  })

  it('forwards the child stderr and stdout to the log', () => {
    const { host, log } = setup()
    host.start()
    lastChild().stderr.emit('data', Buffer.from('TypeError: boom\n'))
    lastChild().stdout.emit('data', Buffer.from('hello\n'))

    const messages = log.records.map((r) => r.message)
    expect(messages).toContain('runtime stderr: TypeError: boom')
    expect(messages).toContain('runtime wrote to stdout: hello')
  })

  it('forwards the output of a restarted child too', () => {
    const { host, log } = setup()
    host.start()
    lastChild().exit(1)
    lastChild().stderr.emit('data', Buffer.from('second child speaking'))
    expect(log.records.map((r) => r.message)).toContain('runtime stderr: second child speaking')
  })

  it('reports the pid once the process has spawned (Electron knows it only then)', async () => {
    const { host } = setup()
    host.start()
    expect(host.status.pid).toBeUndefined()
    await new Promise((r) => setImmediate(r))
    expect(host.status.pid).toBe(lastChild().pid)
    expect(host.status.pid).toEqual(expect.any(Number))
  })

  it('restarts a runtime that stops answering its heartbeat, and says so', async () => {
    const log = new MemoryLogger()
    const signals: Array<[number, string]> = []
    const host = new RuntimeHost({
      runtimePath: RUNTIME_PATH,
      log,
      confirmRestart: async () => false,
      heartbeat: { intervalMs: 20, timeoutMs: 150, interruptGraceMs: 100 },
      signalProcess: (pid, signal) => {
        signals.push([pid, signal])
        if (signal === 'SIGKILL') electron.children.find((c) => c.pid === pid)?.exit(null)
      }
    })
    hosts.push(host)
    host.start()
    const window = attach(host)
    const stuck = lastChild()
    // It starts and answers a ping; then it is stuck in synchronous code and cannot answer: its pings are swallowed.
    const answer = stuck.postMessage.bind(stuck)
    let answered = 0
    stuck.postMessage = (message, transfer) => {
      if ((message as { kind?: unknown }).kind !== 'ping' || answered++ === 0) answer(message, transfer)
    }
    await vi.waitFor(() => expect(children()).toHaveLength(2), { timeout: 2000 })
    // First SIGINT (which would break a loop inside an evaluation); still silent, it is stuck
    // elsewhere: no SIGTERM handler could run, so it gets SIGKILL at once.
    expect(signals.map(([, signal]) => signal)).toEqual(['SIGINT', 'SIGKILL'])
    const statuses = window.sent.filter((m) => m.channel === IpcChannel.runtimeStatus).map((m) => m.payload as RuntimeStatus)
    expect(statuses.at(-1)!.message).toMatch(/stopped answering for 0\.\d s .* stopped; its namespace and running tasks were lost. Restarted it/)
  })

  it('sends no SIGINT to a runtime that has not answered yet (still loading, a signal would kill it), and does once it has', async () => {
    const signals: string[] = []
    const host = new RuntimeHost({
      runtimePath: RUNTIME_PATH,
      log: new MemoryLogger(),
      confirmRestart: async () => false,
      heartbeat: { intervalMs: 10_000, timeoutMs: 60_000 },
      signalProcess: (_pid, signal) => void signals.push(signal)
    })
    hosts.push(host)
    host.start()
    await new Promise((r) => setImmediate(r)) // spawned: the pid is known
    host.interrupt()
    expect(signals).toEqual([])
    lastChild().emit('message', { kind: 'pong', id: 0 })
    host.interrupt()
    expect(signals).toEqual(['SIGINT'])
  })

  it('logs a fatal error event of the runtime instead of throwing it in main', () => {
    const { host, log } = setup()
    host.start()
    expect(() => lastChild().emit('error', 'FatalError', 'v8::OOM', 'report')).not.toThrow()
    expect(log.records).toContainEqual(expect.objectContaining({ level: 'error', message: 'runtime process error: FatalError' }))
  })

  it('copes with a child whose output is not piped', () => {
    const { host } = setup()
    const fork = electron.utilityProcess.fork
    const spy = vi.spyOn(electron.utilityProcess, 'fork').mockImplementation((path, args, options) => {
      const child = fork(path, args, options)
      Object.defineProperty(child, 'stdout', { value: null })
      Object.defineProperty(child, 'stderr', { value: null })
      return child
    })
    try {
      expect(() => host.start()).not.toThrow()
      expect(host.status.state).toBe('running')
    } finally {
      spy.mockRestore()
    }
  })

  it('dispose() kills the runtime and does not restart it when it exits', async () => {
    const { host, confirmRestart } = setup()
    host.start()
    const window = attach(host)
    const child = lastChild()
    const sentBefore = window.sent.length

    host.dispose()
    expect(child.killed).toBe(true)
    await settle()

    expect(children()).toHaveLength(1)
    expect(confirmRestart).not.toHaveBeenCalled()
    expect(window.sent).toHaveLength(sentBefore)
  })
})

describe('RuntimeHost: the assistant settings', () => {
  it('sends the settings to each runtime it starts (again after a restart) and on configure(), to the runtime only', () => {
    let configuration = { kind: 'configure' as const, apiKey: 'sk-ant-first-key', model: 'claude-sonnet-5-5' }
    const host = new RuntimeHost({ runtimePath: RUNTIME_PATH, log: new MemoryLogger(), confirmRestart: async () => false, configuration: () => configuration })
    hosts.push(host)
    host.start()
    const window = attach(host)
    const configures = (child: FakeChild) => child.messages.filter((m) => (m.message as { kind?: string }).kind === 'configure').map((m) => m.message)
    expect(configures(lastChild())).toEqual([configuration])
    configuration = { ...configuration, apiKey: 'sk-ant-second-key' }
    host.configure()
    expect(configures(lastChild()).at(-1)).toEqual({ kind: 'configure', apiKey: 'sk-ant-second-key', model: 'claude-sonnet-5-5' })
    lastChild().exit(1)
    expect(configures(lastChild())).toEqual([configuration])
    // The window got ports and statuses, never the settings.
    expect(JSON.stringify([window.sent, window.posted.map((p) => p.message)])).not.toContain('sk-ant')
  })
})
