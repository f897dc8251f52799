/**
 * The only file that may use `ipcMain` (enforced by lint). Every handler checks, before anything
 * else, that the message comes from the app's own page in a window's main frame (not an iframe, not
 * a navigated-away page), and validates its arguments with zod.
 */
import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron'
import type { z } from 'zod'
import { toDisposable, type Disposable } from '../common/lifecycle'
import type { Logger } from '../common/logger'

type SenderEvent = Pick<IpcMainEvent | IpcMainInvokeEvent, 'senderFrame'>

export interface IpcPolicy {
  /** Is this the URL of our own renderer page? */
  isAppUrl(url: string): boolean
  log: Logger
}

/** Why the sender of `event` is not trusted, or undefined if it is. */
export function untrustedSenderReason(event: SenderEvent, policy: IpcPolicy): string | undefined {
  const frame = event.senderFrame
  if (!frame) return 'the sending frame is gone'
  if (frame.parent !== null) return 'the sender is not a main frame'
  if (!policy.isAppUrl(frame.url)) return `the sender's page (${frame.url}) is not the app`
  return undefined
}

/** Handles `ipcRenderer.invoke(channel, ...args)`; a rejected call rejects in the renderer. */
export function handleIpc<A extends z.ZodType<unknown[]>, R>(
  policy: IpcPolicy,
  channel: string,
  args: A,
  handler: (args: z.output<A>, event: IpcMainInvokeEvent) => R | Promise<R>
): Disposable {
  ipcMain.handle(channel, (event, ...raw: unknown[]) => {
    const reason = untrustedSenderReason(event, policy)
    if (reason) {
      policy.log.warn(`ipc: rejected '${channel}': ${reason}`)
      throw new Error(`'${channel}' rejected: ${reason}`)
    }
    const parsed = args.safeParse(raw)
    if (!parsed.success) {
      policy.log.warn(`ipc: rejected '${channel}': invalid arguments`, parsed.error.issues)
      throw new Error(`'${channel}' rejected: invalid arguments`)
    }
    return handler(parsed.data, event)
  })
  return toDisposable(() => ipcMain.removeHandler(channel))
}

/** Listens to `ipcRenderer.send(channel, ...args)`; untrusted or malformed messages are dropped. */
export function listenIpc<A extends z.ZodType<unknown[]>>(
  policy: IpcPolicy,
  channel: string,
  args: A,
  listener: (args: z.output<A>, event: IpcMainEvent) => void
): Disposable {
  const wrapped = (event: IpcMainEvent, ...raw: unknown[]): void => {
    const reason = untrustedSenderReason(event, policy)
    if (reason) return policy.log.warn(`ipc: dropped '${channel}': ${reason}`)
    const parsed = args.safeParse(raw)
    if (!parsed.success) return policy.log.warn(`ipc: dropped '${channel}': invalid arguments`, parsed.error.issues)
    listener(parsed.data, event)
  }
  ipcMain.on(channel, wrapped)
  return toDisposable(() => ipcMain.removeListener(channel, wrapped))
}
