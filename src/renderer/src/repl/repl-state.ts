import { Emitter } from '../../../common/event'
import { nextMode } from '../../../common/repl/format'
import type { Journal, ReplMode } from '../../../common/runtime-contract'

/** What the REPL pane shares with the rest of the window: the current input mode, and text other panels insert. */
export class ReplState {
  private current: ReplMode = 'js'
  private readonly changes = new Emitter<ReplMode>()
  private readonly inserts = new Emitter<string>()
  private readonly replays = new Emitter<Journal>()
  readonly onDidChangeMode = this.changes.event
  /** Text to type at the prompt's cursor (a path clicked in the inspector, say). */
  readonly onInsert = this.inserts.event

  /** A lost session's inputs to run again, in order (the runtime banner's Replay button). */
  readonly onReplay = this.replays.event

  /** Runs a journal's inputs in the REPL pane, each shown as if typed, after what is running. */
  replay(journal: Journal): void {
    this.replays.fire(journal)
  }

  /** Types `text` at the prompt, as if the user had (it is not run). */
  insert(text: string): void {
    this.inserts.fire(text)
  }

  get mode(): ReplMode {
    return this.current
  }

  cycleMode(): ReplMode {
    this.current = nextMode(this.current)
    this.changes.fire(this.current)
    return this.current
  }
}
