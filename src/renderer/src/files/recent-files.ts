import { Emitter } from '../../../common/event'

const KEY = 'cortex.recentFiles'
export const MAX_RECENT_FILES = 10

/** The graph files loaded last (newest first, at most 10), kept between launches in local storage. */
export class RecentFiles {
  private readonly changes = new Emitter<void>()
  readonly onDidChange = this.changes.event
  private paths: string[]

  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'>) {
    this.paths = RecentFiles.read(storage)
  }

  private static read(storage: Pick<Storage, 'getItem'>): string[] {
    try {
      const value: unknown = JSON.parse(storage.getItem(KEY) ?? '[]')
      return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT_FILES) : []
    } catch {
      return [] // a damaged entry is forgotten, not fatal
    }
  }

  get list(): readonly string[] {
    return this.paths
  }

  add(path: string): void {
    this.paths = [path, ...this.paths.filter((p) => p !== path)].slice(0, MAX_RECENT_FILES)
    try {
      this.storage.setItem(KEY, JSON.stringify(this.paths))
    } catch {
      // Storage full or denied: the list still works for this launch.
    }
    this.changes.fire()
  }
}
