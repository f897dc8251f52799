import type { CortexApi } from '../api/cortex-api'
import type { Notices } from './notices'
import type { RecentFiles } from './recent-files'

export type FileKind = 'graph' | 'trace' | 'other'

/** What a file is, by its name: a graph (.ts, .mts, .js, .mjs) or a trace (.json, .jsonl, .ndjson). */
export function fileKind(name: string): FileKind {
  if (/\.(ts|mts|js|mjs)$/i.test(name)) return 'graph'
  if (/\.(json|jsonl|ndjson)$/i.test(name)) return 'trace'
  return 'other'
}

/** `cortex-trace-2026-12-06T205312.jsonl` (one trace: `cortex-trace-1a2b3c4d-2026-….jsonl`): sortable, and valid on every file system. */
export function traceFileName(now = new Date(), traceId?: string): string {
  return `cortex-trace-${traceId ? `${traceId.slice(0, 8)}-` : ''}${now.toISOString().slice(0, 19).replace(/:/g, '')}.jsonl`
}

/**
 * Exports spans as OTLP JSON Lines, all of the session's or one trace's: a save dialog (Electron)
 * or a download (browser). The one export for the File menu and the timeline; returns what to tell
 * the user (nothing when the save was cancelled).
 */
export async function exportTraceFile(api: CortexApi, traceId?: string): Promise<{ level: 'info' | 'error'; text: string } | undefined> {
  try {
    const file = await api.exportTrace({ format: 'otlp-jsonl', ...(traceId ? { traceIds: [traceId] } : {}) })
    if (!file.spans) return { level: 'info', text: file.open ? 'nothing finished to export yet' : 'no spans to export' }
    const where = await api.files.saveText(traceFileName(new Date(), traceId), file.text)
    if (!where) return undefined
    const open = file.open ? ` (${file.open} still open, left out)` : ''
    return { level: 'info', text: `exported ${file.spans} span${file.spans === 1 ? '' : 's'} to ${where}${open}` }
  } catch (error) {
    return { level: 'error', text: `export failed: ${(error as Error).message}` }
  }
}

/** Graph files bigger than this are not sent to the runtime (it refuses them too). */
const MAX_GRAPH_BYTES = 5 * 1024 * 1024

/**
 * What the File menu and a drop do. Graph files go to the runtime (which prints what was bound in
 * every window's REPL); traces go to the timeline; anything else is refused with a notice.
 */
export class FileActions {
  constructor(
    private readonly api: CortexApi,
    private readonly notices: Notices,
    readonly recent: RecentFiles
  ) {}

  /** Each file in turn, in the order given (a drop of several files, or a multiple choice in a file input). */
  async openFiles(files: readonly File[]): Promise<void> {
    for (const file of files) {
      switch (fileKind(file.name)) {
        case 'graph':
          await this.loadGraphFile(file)
          break
        case 'trace':
          await this.importTrace(file)
          break
        case 'other':
          this.notices.show('error', `${file.name}: not a graph (.ts, .js) or a trace (.json, .jsonl); nothing was loaded`)
      }
    }
  }

  private async loadGraphFile(file: File): Promise<void> {
    // Electron knows where the file is: the runtime reads it there (its imports resolve next to it).
    const path = this.api.files.pathOf(file)
    if (path) return this.loadGraph({ path })
    if (file.size > MAX_GRAPH_BYTES) return this.notices.show('error', `${file.name}: too large to load (a graph file may have 5 MB)`)
    let text: string
    try {
      text = await file.text()
    } catch (error) {
      return this.notices.show('error', `${file.name}: could not be read (${(error as Error).message})`)
    }
    return this.loadGraph({ name: file.name, text })
  }

  /** Loads a graph (a path: Electron's dialog, recent files; or text: a browser's file); the REPL prints the outcome. */
  async loadGraph(source: { path: string } | { name: string; text: string }): Promise<void> {
    try {
      const { path } = await this.api.loadGraphFile(source)
      if (path) {
        this.recent.add(path)
        this.api.files.noteRecentFile(path)
      }
    } catch (error) {
      this.notices.show('error', `could not load ${'path' in source ? source.path : source.name}: ${(error as Error).message}`)
    }
  }

  async importTrace(file: File): Promise<void> {
    try {
      const { spans, format } = this.api.importTrace(await file.text(), file.name)
      this.notices.show('info', `imported ${spans} span${spans === 1 ? '' : 's'} from ${file.name} (${format}) into the timeline`)
    } catch (error) {
      this.notices.show('error', `could not import ${file.name}: ${(error as Error).message}`)
    }
  }

  /**
   * Opens graph files through the native dialog; false at once where there is none: the caller
   * then clicks a file input, still within the user's gesture (browsers require one).
   */
  openGraphDialog(): boolean {
    const chosen = this.api.files.chooseGraphFiles()
    if (!chosen) return false
    void chosen.then(
      async (paths) => {
        for (const path of paths) await this.loadGraph({ path })
      },
      (error: unknown) => this.notices.show('error', `could not open the file dialog: ${(error as Error).message}`)
    )
    return true
  }

  /** Every span of the session as OTLP JSON Lines: a save dialog (Electron) or a download (browser). */
  async exportTrace(): Promise<void> {
    const outcome = await exportTraceFile(this.api)
    if (outcome) this.notices.show(outcome.level, outcome.text)
  }

  async restartRuntime(): Promise<void> {
    try {
      await this.api.restartRuntime()
    } catch (error) {
      this.notices.show('error', `could not restart the runtime: ${(error as Error).message}`)
    }
  }
}
