import type { IpcMainEvent, IpcMainInvokeEvent } from 'electron'
import { z } from 'zod'
import { describe, it, expect, vi, beforeEach } from 'vitest'
import { MemoryLogger } from '../common/logger'
import { handleIpc, listenIpc, untrustedSenderReason, type IpcPolicy } from './ipc'
import { isAppUrl } from './security'

type Listener = (event: unknown, ...args: unknown[]) => unknown

/** ipcMain as far as ipc.ts uses it: records registrations so tests can play the renderer. */
const ipcMain = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  const listeners = new Map<string, Array<(event: unknown, ...args: unknown[]) => unknown>>()
  return {
    handlers,
    listeners,
    handle: vi.fn((channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
      handlers.set(channel, fn)
    }),
    removeHandler: vi.fn((channel: string) => {
      handlers.delete(channel)
    }),
    on: vi.fn((channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => {
      listeners.set(channel, [...(listeners.get(channel) ?? []), fn])
    }),
    removeListener: vi.fn((channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => {
      listeners.set(
        channel,
        (listeners.get(channel) ?? []).filter((l) => l !== fn)
      )
    })
  }
})

vi.mock('electron', () => ({ ipcMain }))

const APP_URL = 'file:///opt/cortex/resources/app/out/renderer/index.html'

interface FakeFrame {
  url: string
  parent: FakeFrame | null
}

function mainFrame(url = APP_URL): FakeFrame {
  return { url, parent: null }
}

function subFrame(url = APP_URL): FakeFrame {
  return { url, parent: mainFrame() }
}

function eventFrom(frame: FakeFrame | null): { senderFrame: FakeFrame | null; sender: object } {
  return { senderFrame: frame, sender: {} }
}

function makePolicy(): IpcPolicy & { log: MemoryLogger } {
  return { isAppUrl: (url) => isAppUrl(url, APP_URL), log: new MemoryLogger() }
}

/** Plays `ipcRenderer.invoke`: a sync throw or a rejection both become a rejection, as in Electron. */
async function invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
  const handler = ipcMain.handlers.get(channel)
  if (!handler) throw new Error(`no handler for '${channel}'`)
  return handler(event, ...args)
}

/** Plays `ipcRenderer.send`. */
function send(channel: string, event: unknown, ...args: unknown[]): void {
  const listeners: Listener[] = ipcMain.listeners.get(channel) ?? []
  if (listeners.length === 0) throw new Error(`no listener for '${channel}'`)
  for (const listener of listeners) listener(event, ...args)
}

function warnings(log: MemoryLogger): string[] {
  return log.records.filter((r) => r.level === 'warn').map((r) => r.message)
}

beforeEach(() => {
  ipcMain.handlers.clear()
  ipcMain.listeners.clear()
  vi.clearAllMocks()
})

describe('untrustedSenderReason', () => {
  it('trusts the app page in a main frame', () => {
    expect(untrustedSenderReason(eventFrom(mainFrame()) as unknown as IpcMainEvent, makePolicy())).toBeUndefined()
  })

  it('distrusts a gone frame, a subframe and a foreign page, each with its own reason', () => {
    const policy = makePolicy()
    expect(untrustedSenderReason(eventFrom(null) as unknown as IpcMainEvent, policy)).toMatch(/gone/)
    expect(untrustedSenderReason(eventFrom(subFrame()) as unknown as IpcMainEvent, policy)).toMatch(/not a main frame/)
    expect(untrustedSenderReason(eventFrom(mainFrame('https://evil.example/')) as unknown as IpcMainEvent, policy)).toMatch(
      /https:\/\/evil\.example\/.*not the app/
    )
  })
})

describe('handleIpc', () => {
  it('passes valid arguments from the app main frame to the handler and returns its result', async () => {
    const policy = makePolicy()
    const handler = vi.fn((args: [string, number]) => `${args[0]}:${args[1] * 2}`)
    handleIpc(policy, 'test:echo', z.tuple([z.string(), z.number()]), handler)
    const event = eventFrom(mainFrame(`${APP_URL}#/graph`))

    await expect(invoke('test:echo', event, 'x', 21)).resolves.toBe('x:42')
    expect(handler).toHaveBeenCalledWith(['x', 21], event)
    expect(warnings(policy.log)).toEqual([])
  })

  it('resolves with the value of an async handler', async () => {
    handleIpc(makePolicy(), 'test:async', z.tuple([]), async () => ({ ok: true }))
    await expect(invoke('test:async', eventFrom(mainFrame()))).resolves.toEqual({ ok: true })
  })

  it('hands the handler the parsed arguments, so unknown object keys never reach it', async () => {
    const handler = vi.fn((args: [{ name: string }]) => args[0])
    handleIpc(makePolicy(), 'test:parsed', z.tuple([z.object({ name: z.string() })]), handler)
    await expect(invoke('test:parsed', eventFrom(mainFrame()), { name: 'a', __proto_pollution: 1 })).resolves.toEqual({ name: 'a' })
  })

  it('rejects a call from a subframe without running the handler and logs a warning', async () => {
    const policy = makePolicy()
    const handler = vi.fn(() => 'secret')
    handleIpc(policy, 'test:subframe', z.tuple([]), handler)

    await expect(invoke('test:subframe', eventFrom(subFrame()))).rejects.toThrow(/rejected: the sender is not a main frame/)
    expect(handler).not.toHaveBeenCalled()
    expect(warnings(policy.log)).toEqual([`ipc: rejected 'test:subframe': the sender is not a main frame`])
  })

  it('rejects a call from a page that is not the app', async () => {
    const policy = makePolicy()
    const handler = vi.fn(() => 'secret')
    handleIpc(policy, 'test:foreign', z.tuple([]), handler)

    await expect(invoke('test:foreign', eventFrom(mainFrame('https://evil.example/')))).rejects.toThrow(/not the app/)
    await expect(invoke('test:foreign', eventFrom(mainFrame('file:///tmp/evil.html')))).rejects.toThrow(/not the app/)
    expect(handler).not.toHaveBeenCalled()
    expect(warnings(policy.log)).toHaveLength(2)
  })

  it('rejects a call whose frame is gone', async () => {
    const policy = makePolicy()
    const handler = vi.fn(() => 'secret')
    handleIpc(policy, 'test:gone', z.tuple([]), handler)

    await expect(invoke('test:gone', eventFrom(null))).rejects.toThrow(/the sending frame is gone/)
    expect(handler).not.toHaveBeenCalled()
    expect(warnings(policy.log)).toHaveLength(1)
  })

  it('rejects an extra argument when the schema takes none', async () => {
    const policy = makePolicy()
    const handler = vi.fn(() => 'done')
    handleIpc(policy, 'test:none', z.tuple([]), handler)

    await expect(invoke('test:none', eventFrom(mainFrame()), 'extra')).rejects.toThrow(/invalid arguments/)
    expect(handler).not.toHaveBeenCalled()
    expect(warnings(policy.log)).toEqual([`ipc: rejected 'test:none': invalid arguments`])
  })

  it('rejects an argument of the wrong type', async () => {
    const policy = makePolicy()
    const handler = vi.fn(() => 'done')
    handleIpc(policy, 'test:string', z.tuple([z.string()]), handler)

    await expect(invoke('test:string', eventFrom(mainFrame()), 42)).rejects.toThrow(/invalid arguments/)
    await expect(invoke('test:string', eventFrom(mainFrame()))).rejects.toThrow(/invalid arguments/)
    expect(handler).not.toHaveBeenCalled()
  })

  it('checks the sender before the arguments, so a foreign page learns nothing about the schema', async () => {
    const policy = makePolicy()
    handleIpc(policy, 'test:order', z.tuple([z.string()]), vi.fn())

    await expect(invoke('test:order', eventFrom(mainFrame('https://evil.example/')), 42)).rejects.toThrow(/not the app/)
  })

  it('removes its handler when disposed, once', () => {
    const disposable = handleIpc(makePolicy(), 'test:dispose', z.tuple([]), vi.fn())
    expect(ipcMain.handle).toHaveBeenCalledWith('test:dispose', expect.any(Function))
    expect(ipcMain.removeHandler).not.toHaveBeenCalled()

    disposable.dispose()
    disposable.dispose()
    expect(ipcMain.removeHandler).toHaveBeenCalledTimes(1)
    expect(ipcMain.removeHandler).toHaveBeenCalledWith('test:dispose')
    expect(ipcMain.handlers.has('test:dispose')).toBe(false)
  })

  it('passes the invoke event through to the handler', async () => {
    let seen: IpcMainInvokeEvent | undefined
    handleIpc(makePolicy(), 'test:event', z.tuple([]), (_args, event) => {
      seen = event
    })
    const event = eventFrom(mainFrame())
    await invoke('test:event', event)
    expect(seen).toBe(event)
  })
})

describe('listenIpc', () => {
  it('passes valid arguments from the app main frame to the listener with the event', () => {
    const policy = makePolicy()
    const listener = vi.fn()
    listenIpc(policy, 'test:listen', z.tuple([z.string()]), listener)
    const event = eventFrom(mainFrame())

    send('test:listen', event, 'hello')
    expect(listener).toHaveBeenCalledTimes(1)
    expect(listener).toHaveBeenCalledWith(['hello'], event)
    expect(warnings(policy.log)).toEqual([])
  })

  it('drops a message from a subframe and logs a warning', () => {
    const policy = makePolicy()
    const listener = vi.fn()
    listenIpc(policy, 'test:listen', z.tuple([]), listener)

    expect(() => send('test:listen', eventFrom(subFrame()))).not.toThrow()
    expect(listener).not.toHaveBeenCalled()
    expect(warnings(policy.log)).toEqual([`ipc: dropped 'test:listen': the sender is not a main frame`])
  })

  it('drops a message from a page that is not the app', () => {
    const policy = makePolicy()
    const listener = vi.fn()
    listenIpc(policy, 'test:listen', z.tuple([]), listener)

    send('test:listen', eventFrom(mainFrame('https://evil.example/')))
    expect(listener).not.toHaveBeenCalled()
    expect(warnings(policy.log)).toHaveLength(1)
    expect(warnings(policy.log)[0]).toMatch(/https:\/\/evil\.example\/.*not the app/)
  })

  it('drops a message whose frame is gone', () => {
    const policy = makePolicy()
    const listener = vi.fn()
    listenIpc(policy, 'test:listen', z.tuple([]), listener)

    send('test:listen', eventFrom(null))
    expect(listener).not.toHaveBeenCalled()
    expect(warnings(policy.log)).toEqual([`ipc: dropped 'test:listen': the sending frame is gone`])
  })

  it('drops a message with an extra argument or an argument of the wrong type', () => {
    const policy = makePolicy()
    const none = vi.fn()
    const oneString = vi.fn()
    listenIpc(policy, 'test:none', z.tuple([]), none)
    listenIpc(policy, 'test:string', z.tuple([z.string()]), oneString)

    send('test:none', eventFrom(mainFrame()), 'extra')
    send('test:string', eventFrom(mainFrame()), 42)
    expect(none).not.toHaveBeenCalled()
    expect(oneString).not.toHaveBeenCalled()
    expect(warnings(policy.log)).toEqual([`ipc: dropped 'test:none': invalid arguments`, `ipc: dropped 'test:string': invalid arguments`])
  })

  it('removes exactly the listener it registered when disposed', () => {
    const listener = vi.fn()
    const disposable = listenIpc(makePolicy(), 'test:listen', z.tuple([]), listener)
    const registered = ipcMain.on.mock.calls[0]?.[1]
    expect(ipcMain.on).toHaveBeenCalledWith('test:listen', expect.any(Function))

    disposable.dispose()
    disposable.dispose()
    expect(ipcMain.removeListener).toHaveBeenCalledTimes(1)
    expect(ipcMain.removeListener).toHaveBeenCalledWith('test:listen', registered)
    expect(ipcMain.listeners.get('test:listen')).toEqual([])
  })
})
