// Benchmarks: `npm run bench` runs every group, `npm run bench -- graph` one of them.
//   --quick   fewer runs and rounds, for a quick look; docs/benchmarks.md is left alone
//   --check   exit with code 1 when a target is not met
// Each group prints its table and rewrites its own section of docs/benchmarks.md.
import { join } from 'node:path'
import process from 'node:process'
import { projectRoot } from './lib/build.mjs'
import { writeSection } from './lib/report.mjs'

/** The groups, by name; each module exports `title` and `run({ quick })` → { text, markdown, failed }. */
const GROUPS = {
  graph: () => import('./graph/index.mjs'),
  repl: () => import('./repl/index.mjs'),
  tracing: () => import('./tracing/index.mjs'),
  ui: () => import('./ui/index.mjs'),
  store: () => import('./store/index.mjs')
}

const args = process.argv.slice(2)
const flags = new Set(args.filter((a) => a.startsWith('--')))
const names = args.filter((a) => !a.startsWith('--'))
const unknownFlags = [...flags].filter((f) => f !== '--quick' && f !== '--check')
const unknownGroups = names.filter((n) => !Object.hasOwn(GROUPS, n))
if (unknownFlags.length || unknownGroups.length) {
  console.error(`usage: npm run bench [-- [${Object.keys(GROUPS).join('|')}]... [--quick] [--check]]`)
  if (unknownGroups.length) console.error(`unknown group: ${unknownGroups.join(', ')}`)
  if (unknownFlags.length) console.error(`unknown option: ${unknownFlags.join(', ')}`)
  process.exit(2)
}
const quick = flags.has('--quick')
const page = join(projectRoot, 'docs/benchmarks.md')

let failed = 0
for (const name of names.length ? names : Object.keys(GROUPS)) {
  const group = await GROUPS[name]()
  console.log(`\n${name}: ${group.title}${quick ? ' (quick)' : ''}`)
  const result = await group.run({ quick })
  console.log(`\n${result.text}\n`)
  if (quick) console.log('(--quick: docs/benchmarks.md not updated)')
  else {
    writeSection(page, name, result.markdown)
    console.log(`written to docs/benchmarks.md (section ${name})`)
  }
  failed += result.failed.length
}
if (flags.has('--check') && failed) process.exitCode = 1
