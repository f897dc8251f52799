import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { whyNotOpenable, type OpenPathRequest } from '../common/open-path'

/**
 * Opens a file the user clicked in the REPL's output with the system's handler (`shell.openPath`),
 * if it is an existing regular file that is not executable; otherwise throws saying why (the
 * renderer prints it).
 */
export async function openUserFile(request: OpenPathRequest, openPath: (path: string) => Promise<string>): Promise<void> {
  const path = resolve(request.cwd ?? process.cwd(), request.path)
  const reason = whyNotOpenable(await stat(path).catch(() => undefined))
  if (reason) throw new Error(`cannot open ${path}: ${reason}`)
  const failure = await openPath(path)
  if (failure) throw new Error(`cannot open ${path}: ${failure}`)
}
