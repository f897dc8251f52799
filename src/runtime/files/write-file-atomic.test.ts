import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { writeFileAtomic } from './write-file-atomic'

/** The real runtime exporting a trace with `%trace export FILE`, in a child process (see the fixture). */
const EXPORTER = resolve(import.meta.dirname, '../../../test/fixtures/trace-export.mjs')

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-atomic-'))
  dirs.push(dir)
  return dir
}

/** `%trace export file` in a runtime whose files may grow to `limitKiB` at most (RLIMIT_FSIZE: a full disk, for real). */
function exportTrace(file: string, limitKiB?: number): { ok: boolean; text?: string; error?: { message: string } } {
  const run =
    limitKiB === undefined
      ? spawnSync(process.execPath, [EXPORTER, file], { encoding: 'utf8', timeout: 60_000 })
      : spawnSync('/bin/sh', ['-c', `ulimit -f ${limitKiB} && exec "$0" "$@"`, process.execPath, EXPORTER, file], { encoding: 'utf8', timeout: 60_000 })
  expect(run.status, run.stderr).toBe(0)
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { ok: boolean; text?: string; error?: { message: string } }
}

describe('writeFileAtomic', () => {
  it('%trace export on a full disk: a clear error, the earlier export intact, no half file left', () => {
    const dir = folder()
    const file = join(dir, 'session.jsonl')
    const first = exportTrace(file)
    expect(first.ok, JSON.stringify(first)).toBe(true)
    const before = readFileSync(file, 'utf8')
    expect(before.length).toBeGreaterThan(8 * 1024) // bigger than the limit below
    for (const line of before.trim().split('\n')) expect(JSON.parse(line)).toHaveProperty('resourceSpans')

    const full = exportTrace(file, 8)
    expect(full.ok).toBe(false)
    expect(full.error?.message).toBe(`could not write ${file}: the disk is full`)
    expect(readFileSync(file, 'utf8')).toBe(before)
    expect(readdirSync(dir)).toEqual(['session.jsonl'])

    const fresh = join(dir, 'fresh.jsonl')
    expect(exportTrace(fresh, 8).ok).toBe(false)
    expect(readdirSync(dir)).toEqual(['session.jsonl']) // no empty or partial fresh.jsonl
  })

  it('replaces the file whole, and says why when it cannot', () => {
    const dir = folder()
    const file = join(dir, 'out.txt')
    writeFileSync(file, 'old')
    writeFileAtomic(file, 'new text')
    expect(readFileSync(file, 'utf8')).toBe('new text')
    expect(() => writeFileAtomic(join(dir, 'missing', 'out.txt'), 'x')).toThrow(`could not write ${join(dir, 'missing', 'out.txt')}: ENOENT`)
    expect(readdirSync(dir)).toEqual(['out.txt'])
  })
})
