import { Emitter } from '../../../common/event'
import { Notices } from './notices'

/** What the window's chrome shares (menu bar, overlays, status bar): notices and the shortcut overlay. */
export class WindowUi {
  readonly notices = new Notices()
  private readonly shortcutChanges = new Emitter<void>()
  readonly onShortcutsChange = this.shortcutChanges.event
  private shortcutsShown = false

  get shortcutsOpen(): boolean {
    return this.shortcutsShown
  }

  showShortcuts(open: boolean): void {
    if (open === this.shortcutsShown) return
    this.shortcutsShown = open
    this.shortcutChanges.fire()
  }
}
