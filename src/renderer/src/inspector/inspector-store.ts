import { Emitter } from '../../../common/event'
import type { InspectPage } from '../../../common/inspect-contract'
import {
  applyError,
  applyPage,
  initialState,
  isExpanded,
  moreRequest,
  refreshRequests,
  setExpanded,
  type PageRequest,
  type Path,
  type TreeState
} from './inspector-model'

export type Inspect = (path: readonly string[], options: { offset: number; limit: number }) => Promise<InspectPage>

const SETTLE_MS = 30

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/**
 * The inspector's tree as a store the panel subscribes to. It does the asking: every batch of
 * answers is merged in one update (old rows stay until the new ones are there: no flicker), and
 * refreshes never overlap (one runs, at most one more waits, however often the namespace changes).
 */
export class InspectorStore {
  private current: TreeState = initialState()
  private readonly changes = new Emitter<void>()
  private seq = 0
  private refreshing: Promise<void> | undefined
  private again = false
  private connected = false
  private timer: ReturnType<typeof setTimeout> | undefined
  readonly onDidChange = this.changes.event

  constructor(private readonly inspect: Inspect) {}

  get state(): TreeState {
    return this.current
  }

  /** Whether the runtime can be asked; while not, the last known tree stays, marked as stale. */
  get isConnected(): boolean {
    return this.connected
  }

  setConnected(connected: boolean): void {
    if (connected === this.connected) return
    this.connected = connected
    this.changes.fire()
    if (connected) void this.refresh()
  }

  /** A refresh soon: a burst of changes (many tasks ending at once) makes one. */
  schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined
      void this.refresh()
    }, SETTLE_MS)
  }

  /** Brings every expanded path on screen up to date. */
  refresh(): Promise<void> {
    if (!this.connected) return Promise.resolve()
    if (this.refreshing) {
      this.again = true
      return this.refreshing
    }
    this.refreshing = (async () => {
      do {
        this.again = false
        await this.fetch(refreshRequests(this.current))
      } while (this.again && this.connected)
      this.refreshing = undefined
    })()
    return this.refreshing
  }

  toggle(path: Path, open = !isExpanded(this.current, path)): void {
    this.update(setExpanded(this.current, path, open))
    // Opening shows what was known at once, and asks for it (and what is open below it) again.
    if (open) void this.fetch(refreshRequests(this.current, path))
  }

  showMore(parent: Path): void {
    void this.fetch([moreRequest(this.current, parent)])
  }

  /** Stops asking (the panel unmounts); setConnected(true) starts again. */
  dispose(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.connected = false
  }

  private update(state: TreeState): void {
    if (state === this.current) return
    this.current = state
    this.changes.fire()
  }

  private async fetch(requests: readonly PageRequest[]): Promise<void> {
    if (!this.connected || requests.length === 0) return
    const seq = ++this.seq
    const answers = await Promise.all(
      requests.map((request) =>
        this.inspect(request.path, { offset: request.offset, limit: request.limit }).then(
          (page) => ({ request, page }),
          (error: unknown) => ({ request, error: messageOf(error) })
        )
      )
    )
    // Parents first: a parent's answer may close a child whose answer then no longer applies.
    let state = this.current
    for (const answer of answers) state = 'page' in answer ? applyPage(state, answer.page, seq) : applyError(state, answer.request.path, answer.error, seq)
    this.update(state)
  }
}
