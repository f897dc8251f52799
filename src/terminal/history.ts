import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * The terminal REPL's history file: one line per entry, oldest first, shared by every session (as
 * ~/.node_repl_history is). It may hold secrets typed at the prompt, so only the user may read it.
 * A history that cannot be read or written never stops the REPL: it just is not kept.
 */
export class HistoryFile {
  private broken = false

  constructor(
    /** Undefined: no history is kept. */
    readonly path: string | undefined,
    private readonly limit = 1000
  ) {}

  /** `CORTEX_HISTORY` (empty: none kept), or ~/.cortex/history. */
  static defaultPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
    const configured = env['CORTEX_HISTORY']
    if (configured !== undefined) return configured || undefined
    return join(homedir(), '.cortex', 'history')
  }

  /** The newest `limit` entries. Appending forever would grow the file without bound: it is compacted here. */
  load(): string[] {
    if (!this.path || !existsSync(this.path)) return []
    try {
      const lines = readFileSync(this.path, 'utf8').split('\n').filter(Boolean)
      const kept = lines.slice(-this.limit)
      if (lines.length > 2 * this.limit) writeFileSync(this.path, kept.map((line) => `${line}\n`).join(''), { mode: 0o600 })
      return kept
    } catch {
      return []
    }
  }

  /** A multi-line input is not kept here (the file has one entry per line); the runtime's session store has it. */
  append(line: string): void {
    if (!this.path || this.broken || line.includes('\n')) return
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 })
      appendFileSync(this.path, `${line}\n`, { mode: 0o600 })
    } catch {
      this.broken = true // a read-only home, say: keep the REPL going without history
    }
  }
}
