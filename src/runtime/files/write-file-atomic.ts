import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** Why a write failed, in words for the user: a full disk says so. */
export function describeWriteError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOSPC' || code === 'EFBIG' || code === 'EDQUOT') return 'the disk is full'
  return (error as Error).message ?? String(error)
}

/**
 * Writes `text` to `path` all or nothing: into a temporary file beside it, flushed, then renamed
 * over `path`. A full disk (or any failure) leaves no half-written file: `path` keeps what it held
 * before, and the temporary file is removed. Throws an error saying why.
 */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`)
  let fd: number | undefined
  try {
    fd = openSync(temporary, 'wx', 0o644)
    const bytes = Buffer.from(text)
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at)
    fsyncSync(fd) // the data is on disk before the name points at it
    closeSync(fd)
    fd = undefined
    renameSync(temporary, path)
  } catch (error) {
    if (fd !== undefined) closeSync(fd)
    rmSync(temporary, { force: true })
    throw new Error(`could not write ${path}: ${describeWriteError(error)}`, { cause: error })
  }
}
