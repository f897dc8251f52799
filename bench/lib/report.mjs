// Tables and the benchmark page: each group owns one section of docs/benchmarks.md, between its markers.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import process from 'node:process'

const PAGE_HEADER = `# Benchmarks

Written by \`npm run bench\` (all groups) or \`npm run bench -- <group>\`. Each group rewrites only
its own section, between its \`<!-- bench:<group>:start -->\` and \`<!-- bench:<group>:end -->\`
markers; a new group appends its section. Edit the text around the sections freely.
`

/** CPU model, cores, Node version and date, for the record. */
export function machine() {
  const cpus = os.cpus()
  return { cpu: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, node: process.version, platform: `${os.platform()} ${os.arch()}`, date: new Date() }
}

/** A plain-text table for the console: columns padded to their widest cell. */
export function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** A markdown table. */
export function markdownTable(header, rows) {
  const escape = (cell) => String(cell).replaceAll('|', '\\|')
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`)].join('\n')
}

/** Replaces the section of `group` in the page (creating the page, or appending the section, as needed). */
export function writeSection(file, group, markdown) {
  const start = `<!-- bench:${group}:start -->`
  const end = `<!-- bench:${group}:end -->`
  const section = `${start}\n${markdown.trim()}\n${end}`
  const page = existsSync(file) ? readFileSync(file, 'utf8') : PAGE_HEADER
  const from = page.indexOf(start)
  const to = page.indexOf(end)
  const next = from >= 0 && to > from ? page.slice(0, from) + section + page.slice(to + end.length) : `${page.trimEnd()}\n\n${section}\n`
  writeFileSync(file, next)
}
