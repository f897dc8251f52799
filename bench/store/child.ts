// The store group's measurement, in a process of its own: a session store of N entries written
// straight to its file (as N appends would leave it), then opened and searched the way the runtime does.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import process from 'node:process'
import { encodeEntry, ENTRIES_FILE, STORE_DIR, type Entry } from '../../src/runtime/store/entry'
import { SessionStore } from '../../src/runtime/store/session-store'

const [count = '1000000', searchRounds = '5'] = process.argv.slice(2)
const ENTRIES = Number(count)
const SESSIONS = 200
const WORDS = ['graph', 'node', 'outfit', 'weather', 'calendar', 'gate', 'answer', 'trace', 'span', 'model', 'token', 'retry', 'result', 'error', 'user']

const project = mkdtempSync(join(tmpdir(), 'cortex-bench-store-'))
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!

try {
  mkdirSync(join(project, STORE_DIR), { recursive: true })
  const file = join(project, STORE_DIR, ENTRIES_FILE)
  const fd = openSync(file, 'a', 0o600)
  let chunk = ''
  const start = Date.now() - ENTRIES * 10
  // A rare needle every 100,000 entries; everything else ordinary REPL traffic.
  for (let i = 0; i < ENTRIES; i++) {
    const session = `s${String(i % SESSIONS).padStart(4, '0')}`
    const seq = Math.floor(i / SESSIONS) + 1
    const words = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${WORDS[(i * 13) % WORDS.length]}`
    const text =
      i % 100_000 === 50_000 ? `needle-${i} found here` : i % 3 === 0 ? `await ${words.replaceAll(' ', '.')}(${i})` : `${words} line ${i} ${'x'.repeat(i % 60)}`
    const entry: Entry =
      i % 3 === 0
        ? { v: 1, id: `${session}.${seq}`, session, seq, time: start + i * 10, kind: 'input', mode: 'js', text }
        : { v: 1, id: `${session}.${seq}`, session, seq, time: start + i * 10, kind: 'output', channel: 'js', stream: 'stdout', text }
    chunk += encodeEntry(entry)
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk)
      chunk = ''
    }
  }
  writeSync(fd, chunk)
  closeSync(fd)
  const fileBytes = statSync(file).size

  const rssBefore = process.memoryUsage().rss
  let t = performance.now()
  const store = await SessionStore.open({ projectDir: project })
  const openMs = performance.now() - t
  const stats = store.stats()
  const rssAfterOpen = process.memoryUsage().rss

  const queries: Record<string, string> = {
    'a rare word (all scanned)': 'needle-50000',
    'a common word (first 20)': 'weather',
    'two words (first 20)': 'trace node',
    'a phrase (first 20)': '"node trace"',
    'no match (all scanned)': 'nothing-like-this'
  }
  const searches: Record<string, { ms: number; hits: number }> = {}
  for (const [label, query] of Object.entries(queries)) {
    const times: number[] = []
    let hits = 0
    for (let r = 0; r < Number(searchRounds); r++) {
      t = performance.now()
      hits = store.search(query).length
      times.push(performance.now() - t)
    }
    searches[label] = { ms: median(times), hits }
  }
  const appendTimes: number[] = []
  for (let i = 0; i < 1000; i++) {
    t = performance.now()
    store.appendInput(`appended ${i}`, 'js')
    appendTimes.push(performance.now() - t)
  }
  await store.close()
  console.log(JSON.stringify({ entries: ENTRIES, stats, fileBytes, openMs, rssBefore, rssAfterOpen, searches, appendUsMedian: median(appendTimes) * 1000 }))
} finally {
  rmSync(project, { recursive: true, force: true })
}
