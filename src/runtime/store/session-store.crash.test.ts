import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { stripAnsi } from '../../../test/support/ansi'
import { ENTRIES_FILE, STORE_DIR, type Entry } from './entry'
import { SessionStore } from './session-store'

/**
 * These tests run the real SessionStore in child processes (test/fixtures/store/writer.mjs loads
 * this folder's TypeScript through a sucrase loader hook), so what they prove is a property of our
 * store code and of the file system under it, not of a copy of the writing logic.
 */
const WRITER = resolve(import.meta.dirname, '../../../test/fixtures/store/writer.mjs')

const projects: string[] = []
const children: ChildProcessWithoutNullStreams[] = []
const stores: SessionStore[] = []
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await Promise.allSettled(stores.splice(0).map((s) => s.close()))
  for (const dir of projects.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-store-crash-'))
  projects.push(dir)
  return dir
}

async function open(projectDir: string): Promise<SessionStore> {
  const store = await SessionStore.open({ projectDir })
  stores.push(store)
  return store
}

/** The text writer.mjs appends as entry `seq` of `session` (keep in sync with it). */
const writerText = (session: string, seq: number, bytes: number) => {
  const unit = `<${session}#${seq}>`
  return unit.repeat(Math.max(1, Math.floor(bytes / unit.length)))
}

interface Writer {
  child: ChildProcessWithoutNullStreams
  ackFile: string
  stderr: () => string
}

/** Starts a writer and waits until its store is open. */
async function startWriter(
  dir: string,
  session: string,
  count: number | 'forever',
  bytes: number,
  wait = false,
  fileSizeLimitKiB?: number
): Promise<Writer & { stdout: () => string }> {
  const ackFile = join(dir, `${session}.ack`)
  const args = [WRITER, dir, session, ackFile, String(count), String(bytes), ...(wait ? ['--wait'] : [])]
  // A real full disk: the kernel refuses writes past RLIMIT_FSIZE (EFBIG, after one short write;
  // Node ignores the SIGXFSZ that comes with it).
  const child =
    fileSizeLimitKiB === undefined
      ? spawn(process.execPath, args)
      : spawn('/bin/sh', ['-c', `ulimit -f ${fileSizeLimitKiB} && exec "$0" "$@"`, process.execPath, ...args])
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  await new Promise<void>((resolveReady, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (stdout.includes('ready\n')) resolveReady()
    })
    child.once('exit', (code) => reject(new Error(`writer exited (${code}) before it was ready: ${stderr}`)))
  })
  return { child, ackFile, stderr: () => stderr, stdout: () => stdout }
}

/** The seq of the writer's last append that had returned. */
const acked = (writer: Writer) => (existsSync(writer.ackFile) ? Number(readFileSync(writer.ackFile, 'utf8').trim() || 0) : 0)

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Every entry of the session is whole (its text is exactly what the writer appended), and seqs are 1..n. */
function expectWhole(entries: Entry[], session: string, bytes: number): void {
  expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1))
  for (const e of entries) if (e.text !== writerText(session, e.seq, bytes)) throw new Error(`entry ${e.id} is not whole`)
}

describe('SessionStore across processes', () => {
  it('kill -9 of a writing process loses at most the append in flight; every complete line stays readable', async () => {
    const dir = project()
    const bytes = 40_000 // 10 pages per write: a kill can land in the middle of one
    for (const session of ['victim-1', 'victim-2', 'victim-3']) {
      const writer = await startWriter(dir, session, 'forever', bytes)
      await until(() => acked(writer) >= 150, `${session} to append 150 entries`)
      writer.child.kill('SIGKILL')
      await once(writer.child, 'exit')
      expect(writer.child.signalCode).toBe('SIGKILL')
      const returned = acked(writer)

      const store = await open(dir)
      const entries = store.session(session)
      // Every append that had returned is there; the one in flight may be too, whole, or not at all.
      expect(entries.length === returned || entries.length === returned + 1, `${entries.length} entries stored, ${returned} appends returned`).toBe(true)
      expectWhole(entries, session, bytes)
      // What follows the last complete line is at most one torn line: less than one entry.
      expect(statSync(join(dir, STORE_DIR, ENTRIES_FILE)).size - store.stats().bytes).toBeLessThan(bytes + 500)
      // The earlier rounds' sessions are still whole, although this round's writer appended after
      // a line the previous kill may have torn.
      expect(store.stats().skipped).toBeLessThanOrEqual(2)
      await store.close()
      stores.splice(stores.indexOf(store), 1)
    }
    const after = await open(dir)
    expect(after.sessions().map((s) => s.id)).toEqual(['victim-1', 'victim-2', 'victim-3'])
    for (const session of ['victim-1', 'victim-2', 'victim-3']) expectWhole(after.session(session), session, bytes)
    after.appendInput('written after three kills', 'js')
    expect((await open(dir)).search('"written after three kills"')).toHaveLength(1)
  })

  it('several processes appending big entries at once never interleave within a line, and each sees the others', async () => {
    const dir = project()
    const watcher = await open(dir) // opened before they write: it must pick up what they append
    const bytes = 60_000 // near the 64 KiB bound: 15 pages per write
    const count = 300
    const sessions = ['writer-1', 'writer-2', 'writer-3']
    const writers = await Promise.all(sessions.map((s) => startWriter(dir, s, count, bytes, true)))
    for (const w of writers) w.child.stdin.end('go\n') // all start together
    await Promise.all(writers.map((w) => once(w.child, 'exit')))
    for (const w of writers) expect(w.child.exitCode, w.stderr()).toBe(0)

    expect(watcher.stats()).toMatchObject({ entries: sessions.length * count, skipped: 0 })
    for (const s of sessions) expectWhole(watcher.session(s), s, bytes)
    // The writes really overlapped (otherwise this proves nothing): the file alternates between writers.
    const order = watcher.recent(sessions.length * count).map((e) => e.session)
    const switches = order.filter((s, i) => i > 0 && s !== order[i - 1]).length
    expect(switches).toBeGreaterThan(sessions.length)
    expect(watcher.search(`"<writer-2#${count}>"`)).toHaveLength(1)
  })

  it('a full disk: a failed append leaves only whole entries in the file, the writer is told once and keeps going', async () => {
    const dir = project()
    const bytes = 3000
    const limitKiB = 64 // a few dozen entries fit; the one that crosses the limit is written short
    const writer = await startWriter(dir, 'full-disk', 100, bytes, false, limitKiB)
    await once(writer.child, 'exit')
    // It appended all 100 (most failed) and closed normally: a full store never stops the process.
    expect(writer.child.exitCode, writer.stderr()).toBe(0)
    expect(acked(writer)).toBe(100)
    const told = writer
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('write-failure '))
    expect(told, writer.stdout() + writer.stderr()).toHaveLength(1)
    expect(told[0]).toContain('The session store could not write (the disk is full)')

    const file = join(dir, STORE_DIR, ENTRIES_FILE)
    expect(statSync(file).size).toBeLessThanOrEqual(limitKiB * 1024)
    const store = await open(dir)
    const entries = store.session('full-disk')
    expect(entries.length).toBeGreaterThan(5)
    expect(entries.length).toBeLessThan(100)
    expectWhole(entries, 'full-disk', bytes)
    // No torn line: the short write was cut off, so the file ends at the last whole entry.
    expect(store.stats()).toMatchObject({ skipped: 0, bytes: statSync(file).size })
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true)
  })

  it('a full disk under a running REPL: every input still runs, the user is told once, the store stays readable', () => {
    const dir = project()
    const fixture = resolve(import.meta.dirname, '../../../test/fixtures/store/full-disk-runtime.mjs')
    const run = spawnSync('/bin/sh', ['-c', 'ulimit -f 32 && exec "$0" "$@"', process.execPath, fixture, dir], { encoding: 'utf8', timeout: 60_000 })
    expect(run.status, run.stderr).toBe(0)
    const { results, system } = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { results: string[]; system: string[] }
    expect(results.map(stripAnsi)).toEqual(Array.from({ length: 40 }, (_, i) => String(i * 2)))
    expect(system).toHaveLength(1)
    expect(system[0]).toMatch(/^The session store could not write \(the disk is full\): from now on this session may not be fully recorded/)
    return open(dir).then((store) => {
      expect(store.stats().skipped).toBe(0)
      expect(store.search('"line 0"', { kind: 'output' })).toHaveLength(1)
      expect(store.stats().bytes).toBe(statSync(join(dir, STORE_DIR, ENTRIES_FILE)).size)
    })
  })
})
