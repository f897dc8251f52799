import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../../common/logger'
import type { OutputWrite } from '../../common/repl-contract'
import { encodeEntry, ENTRIES_FILE, MAX_TEXT_BYTES, STORE_DIR, type Entry } from './entry'
import { MAX_LINE_BYTES } from './reader'
import { SessionStore, type SessionStoreOptions } from './session-store'

const projects: string[] = []
const stores: SessionStore[] = []
afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((s) => s.close()))
  for (const dir of projects.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cortex-store-'))
  projects.push(dir)
  return dir
}

async function open(projectDir: string, options: Partial<SessionStoreOptions> = {}): Promise<SessionStore> {
  const store = await SessionStore.open({ projectDir, ...options })
  stores.push(store)
  return store
}

const fileOf = (projectDir: string) => join(projectDir, STORE_DIR, ENTRIES_FILE)
const out = (text: string, over: Partial<OutputWrite> = {}): OutputWrite => ({ channel: 'js', stream: 'stdout', text, time: Date.now(), ...over })
const texts = (entries: Entry[]) => entries.map((e) => e.text)

describe('SessionStore', () => {
  it('journals a crashed session: its JS inputs that succeeded, in order, and what was skipped and why', async () => {
    const dir = project()
    // As the Runtime opens it: secrets are scrubbed before an entry is written.
    const redact = (text: string) => text.replace(/sk-ant-\w+/g, '[REDACTED]')
    const crashed = await open(dir, { redact })
    const input = (text: string, ok: boolean | undefined, mode: 'js' | 'bash' = 'js') => {
      const entry = crashed.appendInput(text, mode)
      if (ok !== undefined) crashed.appendOutcome(entry.seq, ok, ok ? 'ok' : 'failed')
    }
    input('const a = 1', true)
    input('a.b.c', false)
    input('ls', true, 'bash')
    input('%load graph.ts', true)
    input('%history', true)
    input('@g1.0 yes', true)
    input('const key = "sk-ant-secret"', true)
    input('const b = a + 1', true)
    input('await run()', undefined) // the input that was running when the runtime died
    await crashed.close()

    const next = await open(dir)
    next.appendInput('typeof a', 'js')
    const journal = next.journal()
    expect(journal.sessionId).toBe(crashed.sessionId)
    expect(journal.inputs).toEqual(['const a = 1', '%load graph.ts', 'const b = a + 1'])
    expect(journal.skipped).toEqual([
      { code: 'a.b.c', reason: 'it failed' },
      { code: 'ls', reason: 'a shell command' },
      { code: '%history', reason: '%history does not build the namespace' },
      { code: '@g1.0 yes', reason: 'it answered a gate of a run that is gone' },
      { code: 'const key = "[REDACTED]"', reason: 'it holds a secret, which is not sent to the window' },
      { code: 'await run()', reason: 'still running when the runtime stopped' }
    ])
    expect(next.journal(crashed.sessionId)).toEqual(journal)
    expect(next.journal('no-such-session')).toMatchObject({ inputs: [], skipped: [] })
  })

  it('the journal never gives the window a secret found after the input was stored: it is scrubbed and skipped', async () => {
    const dir = project()
    const crashed = await open(dir) // it did not know the value yet
    const entry = crashed.appendInput('fetchIt("tok-93be1f")', 'js')
    crashed.appendOutcome(entry.seq, true, 'ok')
    await crashed.close()
    const next = await open(dir, { redact: (text) => text.replaceAll('tok-93be1f', '[REDACTED]') })
    expect(next.journal()).toMatchObject({
      inputs: [],
      skipped: [{ code: 'fetchIt("[REDACTED]")', reason: 'it holds a secret, which is not sent to the window' }]
    })
  })

  it('gives the history: inputs of every session, oldest first, each once at its newest place', async () => {
    const dir = project()
    const first = await open(dir)
    first.appendInput('const a = 1', 'js')
    first.appendOutput(out('1\n'))
    first.appendInput('a + 1', 'js')
    await first.close()
    const second = await open(dir)
    second.appendInput('ls', 'bash')
    second.appendInput('const a = 1', 'js')
    second.appendInput('function f() {\n  return a\n}', 'js')
    expect(second.history()).toEqual(['a + 1', 'ls', 'const a = 1', 'function f() {\n  return a\n}'])
    expect(second.history(2)).toEqual(['const a = 1', 'function f() {\n  return a\n}'])
  })

  it('stores inputs, outputs and events, and finds them: search (newest first), recent, session, sessions', async () => {
    const dir = project()
    const store = await open(dir)
    const input = store.appendInput('const x = await fetch(url)', 'js')
    store.appendOutput(out('Response { status: 404 }\n', { taskId: 'e1', evalId: 1 }))
    store.appendInput('ls -la', 'bash')
    store.appendOutput(out('total 0\n', { channel: 'bash', stream: 'stderr', taskId: 'b1' }))
    store.appendEvent('graph g1 finished')
    store.appendInput('FETCH again', 'nl')

    expect(input).toMatchObject({ v: 1, session: store.sessionId, seq: 1, id: `${store.sessionId}.1`, kind: 'input', mode: 'js' })
    expect(texts(store.search('fetch'))).toEqual(['FETCH again', 'const x = await fetch(url)'])
    expect(texts(store.search('fetch', { limit: 1 }))).toEqual(['FETCH again'])
    expect(texts(store.search('await FETCH'))).toEqual(['const x = await fetch(url)']) // every term must match
    expect(texts(store.search('"status: 404"'))).toEqual(['Response { status: 404 }\n'])
    expect(store.search('"404 status"')).toEqual([])
    expect(store.search('nothing-like-this')).toEqual([])
    expect(texts(store.search('', { kind: 'input' }))).toEqual(['FETCH again', 'ls -la', 'const x = await fetch(url)'])
    expect(texts(store.search('g', { kind: 'event' }))).toEqual(['graph g1 finished'])
    expect(texts(store.recent(2))).toEqual(['graph g1 finished', 'FETCH again']) // oldest first
    expect(store.session().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6])
    expect(store.session()[3]).toMatchObject({ kind: 'output', channel: 'bash', stream: 'stderr', taskId: 'b1', text: 'total 0\n' })
    expect(store.session()[1]).toMatchObject({ taskId: 'e1', evalId: 1 })
    expect(store.session('no-such-session')).toEqual([])
    const [info] = store.sessions()
    expect(info).toMatchObject({ id: store.sessionId, label: 's1', entries: 6 })
    expect(Math.abs(info!.start - Date.now())).toBeLessThan(10_000)
    expect(store.format(store.search('ls'))).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d s1 #3 bash\] ls -la$/)
  })

  it('writes each text through its redact function: a secret never reaches the file', async () => {
    const dir = project()
    const store = await open(dir, { redact: (text) => text.replaceAll('hunter2-secret', '[REDACTED]') })
    store.appendInput('login("hunter2-secret")', 'js')
    store.appendOutput(out('token hunter2-secret accepted'))
    await store.flush()
    const file = readFileSync(fileOf(dir), 'utf8')
    expect(file).not.toContain('hunter2-secret')
    expect(file).toContain('login(\\"[REDACTED]\\")')
    expect(texts(store.search('accepted'))).toEqual(['token [REDACTED] accepted'])
  })

  it('creates its folder private, keeps it out of git, and the file private', async () => {
    const dir = project()
    const store = await open(dir)
    store.appendInput('secret = "sk-123"', 'js')
    expect(statSync(join(dir, STORE_DIR)).mode & 0o777).toBe(0o700)
    expect(statSync(fileOf(dir)).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(dir, STORE_DIR, '.gitignore'), 'utf8')).toMatch(/^\*$/m)
  })

  it('bounds each entry: a 10 MB output is stored truncated, with a marker and its original size', async () => {
    const dir = project()
    const store = await open(dir)
    const text = `first-line\n${'0123456789abcdef\n'.repeat(620_000)}last-line\n` // ~10.5 MB
    const stored = store.appendOutput(out(text))
    expect(stored.bytes).toBe(Buffer.byteLength(text))
    expect(statSync(fileOf(dir)).size).toBeLessThan(MAX_TEXT_BYTES * 1.1) // the line (its \n escaped as \\n), not the 10 MB
    const [found] = store.search('first-line last-line')
    expect(found!.bytes).toBe(Buffer.byteLength(text))
    expect(found!.text).toMatch(/^first-line\n[\s\S]*\n… \[truncated \d+ bytes\] …\n[\s\S]*last-line\n$/)
    expect(Buffer.byteLength(found!.text)).toBeLessThanOrEqual(MAX_TEXT_BYTES)
    expect(store.appendInput('short', 'js').bytes).toBeUndefined()
  })

  it('is shared: two sessions on one project folder see each other’s entries, as they are appended', async () => {
    const dir = project()
    const a = await open(dir)
    const b = await open(dir)
    expect(a.sessionId).not.toBe(b.sessionId)
    a.appendInput('from a: alpha', 'js')
    b.appendInput('from b: beta', 'js')
    a.appendInput('from a: gamma', 'js')
    for (const store of [a, b]) {
      expect(texts(store.search('from'))).toEqual(['from a: gamma', 'from b: beta', 'from a: alpha'])
      expect(texts(store.search('from', { sessionId: b.sessionId }))).toEqual(['from b: beta'])
      expect(store.sessions().map((s) => [s.id, s.label, s.entries])).toEqual([
        [a.sessionId, 's1', 2],
        [b.sessionId, 's2', 1]
      ])
    }
    // A third process opening later reads both from the file.
    const c = await open(dir)
    expect(texts(c.recent(10))).toEqual(['from a: alpha', 'from b: beta', 'from a: gamma'])
    expect(c.label(b.sessionId)).toBe('s2')
  })

  it('continues a session given its id: seq goes on from its last entry', async () => {
    const dir = project()
    const first = await open(dir, { sessionId: 'my-session' })
    first.appendInput('one', 'js')
    first.appendInput('two', 'js')
    await first.close()
    const again = await open(dir, { sessionId: 'my-session' })
    expect(again.appendInput('three', 'js').seq).toBe(3)
    expect(again.session().map((e) => `${e.seq}:${e.text}`)).toEqual(['1:one', '2:two', '3:three'])
    await expect(SessionStore.open({ projectDir: dir, sessionId: '../escape' })).rejects.toThrow(/invalid session id/)
  })

  it('skips a torn last line, and recovers the entry a later append glued onto it', async () => {
    const dir = project()
    const writer = await open(dir, { sessionId: 'crashed' })
    writer.appendInput('complete one', 'js')
    writer.appendInput('complete two', 'js')
    // What a process killed in the middle of a write leaves: a line without its end.
    const torn = encodeEntry({ v: 1, id: 'crashed.3', session: 'crashed', seq: 3, time: Date.now(), kind: 'input', mode: 'js', text: 'torn three' })
    appendFileSync(fileOf(dir), torn.slice(0, 40))

    const reader = await open(dir)
    expect(texts(reader.session('crashed'))).toEqual(['complete one', 'complete two'])
    expect(reader.search('torn')).toEqual([])
    // The next append lands on the torn line's end; only the fragment is lost.
    reader.appendInput('after the crash', 'js')
    expect(texts(reader.recent(10))).toEqual(['complete one', 'complete two', 'after the crash'])
    expect(reader.stats()).toMatchObject({ entries: 3, skipped: 1 })
    const fresh = await open(dir)
    expect(texts(fresh.recent(10))).toEqual(['complete one', 'complete two', 'after the crash'])
    expect(fresh.stats().skipped).toBe(1)
  })

  it('never reads a line still being written: it appears once complete', async () => {
    const dir = project()
    const store = await open(dir)
    store.appendInput('before', 'js')
    const line = encodeEntry({ v: 1, id: 'other.1', session: 'other', seq: 1, time: Date.now(), kind: 'input', mode: 'js', text: 'in flight' })
    appendFileSync(fileOf(dir), line.slice(0, 30)) // another process's write, half done
    expect(texts(store.recent(10))).toEqual(['before'])
    appendFileSync(fileOf(dir), line.slice(30))
    expect(texts(store.recent(10))).toEqual(['before', 'in flight'])
    expect(store.stats().skipped).toBe(0)
  })

  it('skips damaged lines and later versions; everything around them is read', async () => {
    const dir = project()
    const store = await open(dir, { sessionId: 'damaged' })
    store.appendInput('one', 'js')
    appendFileSync(fileOf(dir), 'not json at all\n\n{"v":2,"id":"x.1","future":true}\n[1,2]\n')
    appendFileSync(fileOf(dir), `${'garbage without end '.repeat(Math.ceil((MAX_LINE_BYTES * 1.5) / 20))}\n`) // longer than any line we write
    store.appendInput('two', 'js')
    const fresh = await open(dir)
    expect(texts(fresh.recent(10))).toEqual(['one', 'two'])
    expect(fresh.stats()).toMatchObject({ entries: 2, skipped: 4 })
    expect(texts(store.recent(10))).toEqual(['one', 'two'])
  })

  it('reads big lines wherever they fall across its 1 MiB reads (64 KiB texts needing escapes)', async () => {
    const dir = project()
    const store = await open(dir)
    // Every character escaped: ~160 KB lines, so several of them straddle a read boundary.
    const big = (i: number) => `${i}:${'"\\\u0001'.repeat(16_000)}`
    for (let i = 0; i < 12; i++) store.appendOutput(out(big(i)))
    store.appendInput('after', 'js')
    expect(statSync(fileOf(dir)).size).toBeGreaterThan(1.5 * 1024 * 1024)
    const fresh = await open(dir)
    expect(texts(fresh.recent(20))).toEqual([...Array.from({ length: 12 }, (_, i) => big(i)), 'after'])
    expect(fresh.stats().skipped).toBe(0)
  })

  it('appends in microseconds: one synchronous write per entry, nothing buffered', async () => {
    const dir = project()
    const store = await open(dir)
    const count = 5_000
    const started = performance.now()
    for (let i = 0; i < count; i++) store.appendOutput(out(`line ${i} of some output\n`))
    const perEntry = (performance.now() - started) / count
    expect(perEntry).toBeLessThan(0.2) // ms; measured ~5 µs
    // Already in the file when the append returns (no timer, no buffer).
    expect(readFileSync(fileOf(dir), 'utf8').trimEnd().split('\n')).toHaveLength(count)
  })

  it('throws a clear error on appends after close; close flushes and is idempotent', async () => {
    const dir = project()
    const store = await open(dir)
    store.appendInput('kept', 'js')
    await store.flush()
    await Promise.all([store.close(), store.close()])
    expect(() => store.appendInput('lost', 'js')).toThrow(/session store is closed.*cannot append/)
    expect(() => store.search('kept')).toThrow(/closed/)
    await store.flush() // nothing to do
    expect(texts((await open(dir)).recent(5))).toEqual(['kept'])
  })

  it('reports a failing append once, without throwing, keeps going, and says when it works again', async () => {
    const dir = project()
    const logger = new MemoryLogger()
    const store = await open(dir, { logger })
    store.appendInput('ok', 'js')
    // A descriptor that does not exist, as after a vanished disk (restored below).
    const internals = store as unknown as { appendFd: number }
    const real = internals.appendFd
    internals.appendFd = 2 ** 30
    expect(() => store.appendInput('lost 1', 'js')).not.toThrow()
    store.appendInput('lost 2', 'js')
    expect(logger.records.map((r) => [r.level, r.message])).toEqual([['error', expect.stringMatching(/cannot append/)]])
    internals.appendFd = real
    store.appendInput('back', 'js')
    expect(logger.records.map((r) => r.level)).toEqual(['error', 'info'])
    expect(store.session().map((e) => `${e.seq}:${e.text}`)).toEqual(['1:ok', '4:back']) // the gap shows the loss
  })

  it('reads a file written by hand in the documented format', async () => {
    const dir = project()
    const first = await open(dir) // creates the folder
    await first.close()
    const lines = [
      '{"v":1,"id":"h.1","session":"h","seq":1,"time":1764079392000,"kind":"input","mode":"bash","text":"echo hi"}',
      '{"v":1,"id":"h.2","session":"h","seq":2,"time":1764079392001,"kind":"output","channel":"bash","stream":"stdout","taskId":"b1","text":"hi\\n"}'
    ]
    writeFileSync(fileOf(dir), `${lines.join('\n')}\n`)
    const store = await open(dir)
    expect(store.session('h').map((e) => [e.kind, e.text])).toEqual([
      ['input', 'echo hi'],
      ['output', 'hi\n']
    ])
    expect(store.sessions()[0]).toMatchObject({ id: 'h', start: 1764079392000, last: 1764079392001, entries: 2 })
  })
})
