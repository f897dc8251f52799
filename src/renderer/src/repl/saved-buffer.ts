import { SerializeAddon } from '@xterm/addon-serialize'
import type { Terminal } from '@xterm/xterm'
import { DisposableStore, toDisposable, type Disposable } from '../../../common/lifecycle'

/** The tab's session storage key: a reload of the tab finds it, another tab does not. */
const KEY = 'cortex.repl.buffer'
/** The latest lines kept (the pane's scrollback is 10,000; a reload brings back the recent part). */
export const SAVED_LINES = 1000
/** Session storage holds a few MB per origin: a buffer full of colour codes is cut to fit this. */
const MAX_CHARS = 1_500_000

/**
 * Keeps the REPL pane's output across a reload of the page: the lines above the prompt (the latest
 * {@link SAVED_LINES}, with their colours; xterm's serialize addon) go to the tab's session storage
 * when the page goes away (a reload, a navigation) or is hidden, and
 * {@link restore} gives them back to the new page, which writes them before anything else.
 */
export class SavedBuffer implements Disposable {
  private readonly store = new DisposableStore()
  private readonly serializer = new SerializeAddon()

  constructor(
    private readonly terminal: Terminal,
    private readonly storage: Storage,
    /** The buffer row where the prompt starts: everything above it is output. */
    private readonly promptRow: () => number
  ) {
    terminal.loadAddon(this.serializer)
    this.store.add(this.serializer)
    // Only then: a save serializes a thousand lines (tens of ms on a slow machine, under load), which
    // a keystroke would wait behind if it ran while output streams.
    const onPageHide = () => this.save()
    const onHidden = () => document.visibilityState === 'hidden' && this.save()
    window.addEventListener('pagehide', onPageHide)
    document.addEventListener('visibilitychange', onHidden)
    this.store.add(
      toDisposable(() => {
        window.removeEventListener('pagehide', onPageHide)
        document.removeEventListener('visibilitychange', onHidden)
      })
    )
  }

  /** What an earlier page of this tab saved (terminal data, ready to write), if anything. */
  restore(): string | undefined {
    try {
      return this.storage.getItem(KEY) ?? undefined
    } catch {
      return undefined // storage disabled: nothing to restore
    }
  }

  /** Saves now: the output above the prompt, the latest lines that fit. */
  save(): void {
    const end = this.promptRow() - 1
    if (end < 0) return
    let lines = SAVED_LINES
    let data = ''
    for (; lines >= 10; lines = Math.floor(lines / 2)) {
      data = this.serializer.serialize({ range: { start: Math.max(0, end - lines + 1), end }, excludeModes: true, excludeAltBuffer: true })
      if (data.length <= MAX_CHARS) break
    }
    try {
      this.storage.setItem(KEY, data)
    } catch {
      // Over the storage quota (or storage disabled): a reload then starts empty, as it always did.
      try {
        this.storage.removeItem(KEY)
      } catch {
        // nothing more to do
      }
    }
  }

  dispose(): void {
    this.store.dispose()
  }
}
