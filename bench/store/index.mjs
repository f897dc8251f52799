// The store group: a long session of 1,000,000 session-store entries: how long the store takes to
// open (the runtime's startup reads it), what it holds in memory, how fast a search answers, what
// an append costs. No peer keeps a searchable session store: the figures stand against their targets.
import { performance } from 'node:perf_hooks'
import { buildEntries } from '../lib/build.mjs'
import { runChild } from '../lib/child.mjs'
import { machine, markdownTable, textTable } from '../lib/report.mjs'

export const title = 'Session store: 1,000,000 entries (open, memory, search, append)'

const SEARCH_TARGET_MS = 500

const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—')
const mib = (bytes) => `${fixed(bytes / 2 ** 20, 0)} MiB`

export async function run({ quick = false } = {}) {
  const entries = quick ? 100_000 : 1_000_000
  process.stdout.write('  building the scenario (vite)…')
  const out = await buildEntries({ store: 'bench/store/child.ts' })
  process.stdout.write(` done\n  ${entries.toLocaleString('en')} entries: write, open, search, append…`)
  let started = performance.now()
  const { result, messages } = await runChild(out.store, [String(entries), quick ? '3' : '5'], { label: 'store' })
  process.stdout.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  for (const message of messages) console.log(`    stderr: ${message}`)

  const failed = []
  const slowest = Math.max(...Object.values(result.searches).map((s) => s.ms))
  if (!(slowest <= SEARCH_TARGET_MS)) failed.push(`search ${fixed(slowest)} ms > ${SEARCH_TARGET_MS} ms`)
  const header = ['measure', 'value', 'target']
  const rows = [
    ['entries (sessions)', `${result.stats.entries.toLocaleString('en')} (${result.stats.sessions})`, '—'],
    ['file size', mib(result.fileBytes), '—'],
    ['open: read and index the whole file, in the background (ms)', fixed(result.openMs, 0), '—'],
    ['memory held after open (RSS growth)', mib(result.rssAfterOpen - result.rssBefore), '—'],
    ...Object.entries(result.searches).map(([label, s]) => [`search: ${label}, ${s.hits} hits (ms, median)`, fixed(s.ms), `≤ ${SEARCH_TARGET_MS}`]),
    ['append one entry (µs, median of 1,000)', fixed(result.appendUsMedian), '—']
  ]
  const m = machine()
  const note = `Machine: ${m.cpu}, ${m.cores} cores, ${m.platform}, Node ${m.node}, ${m.date.toISOString().slice(0, 10)}.`
  const text = `${textTable(header, rows)}\n${note}${failed.length ? `\nnot met: ${failed.join('; ')}` : ''}`
  const markdown = `## Session store (\`npm run bench -- store\`)

${title}. A project store of ${result.stats.entries.toLocaleString('en')} entries (inputs and
outputs of ${result.stats.sessions} sessions, as appends leave them) is opened as the runtime opens it at
startup (streamed a chunk at a time in the background: the prompt answers meanwhile), then searched
with \`store()\` queries; no peer keeps a searchable session store, so the figures stand on their own.

${markdownTable(header, rows)}

${note}${failed.length ? `\n\nNot met: ${failed.join('; ')}.` : ''}
`
  return { text, markdown, failed }
}
