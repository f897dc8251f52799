import { spawn } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Logger } from '../common/logger'
import { whyNotOpenable, type OpenPathRequest } from '../common/open-path'

/** The system's "open this file" command. */
export function defaultOpenCommand(): string {
  return process.platform === 'darwin' ? 'open' : 'xdg-open'
}

/**
 * Opens a file the user clicked with the system's handler, if it is an existing regular file that
 * is not executable; otherwise throws saying why. The command gets the absolute path as its only
 * argument (no shell) and runs detached: the host never waits for the viewer.
 */
export async function openWithSystem(request: OpenPathRequest, command = defaultOpenCommand(), log?: Logger): Promise<string> {
  const path = resolve(request.cwd ?? process.cwd(), request.path)
  const reason = whyNotOpenable(await stat(path).catch(() => undefined))
  if (reason) throw new Error(`cannot open ${path}: ${reason}`)
  const child = spawn(command, [path], { detached: true, stdio: 'ignore' })
  child.on('error', (error) => log?.warn(`could not run ${command}`, { message: error.message }))
  child.unref()
  return path
}
