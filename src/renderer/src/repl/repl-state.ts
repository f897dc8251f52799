import { Emitter } from '../../../common/event'
import { nextMode } from '../../../common/repl/format'
import type { ReplMode } from '../../../common/runtime-contract'

/** What the REPL pane and the status bar share: the current input mode. */
export class ReplState {
  private current: ReplMode = 'js'
  private readonly changes = new Emitter<ReplMode>()
  readonly onDidChangeMode = this.changes.event

  get mode(): ReplMode {
    return this.current
  }

  cycleMode(): ReplMode {
    this.current = nextMode(this.current)
    this.changes.fire(this.current)
    return this.current
  }
}
