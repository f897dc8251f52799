import { z } from 'zod'

/**
 * A file the user clicked in the REPL's output, to open with the system's handler. Relative paths
 * are relative to the runtime's working directory (`cwd`), which is where they were printed.
 */
export const OpenPathRequest = z
  .object({
    path: z.string().min(1).max(4096),
    cwd: z.string().min(1).max(4096).optional()
  })
  .strict()
export type OpenPathRequest = z.infer<typeof OpenPathRequest>

/** What the hosts learn of a path before opening it (a subset of Node's `fs.Stats`). */
export interface OpenableStats {
  isFile(): boolean
  mode: number
}

/**
 * Why a host must not open the file (undefined: it may). Only existing regular files are opened,
 * and never executable ones: the system's handler may run those rather than show them.
 */
export function whyNotOpenable(stats: OpenableStats | undefined): string | undefined {
  if (!stats) return 'no such file'
  if (!stats.isFile()) return 'not a regular file'
  if ((stats.mode & 0o111) !== 0) return 'an executable file (not opened: the system could run it)'
  return undefined
}

/** Is `url` a web page that may be opened outside the app (in the user's browser)? Only http and https. */
export function isExternalWebUrl(url: string): boolean {
  return /^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/i.test(url)
}
