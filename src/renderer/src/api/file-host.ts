import type { CortexBridge, MenuCommand } from '../../../common/bridge'
import { isMenuCommand } from '../../../common/bridge'
import { Emitter, type Event } from '../../../common/event'

/**
 * Files and the desktop around the window: what differs between Electron (dialogs, paths, the
 * application menu) and a browser tab (file inputs, downloads). No other renderer code knows which.
 */
export interface FileHost {
  /** The path on disk of a dropped or chosen file (Electron), or undefined (a browser gives none: send its text). */
  pathOf(file: File): string | undefined
  /** The native open dialog's chosen paths; undefined where there is none (the page uses an `<input type=file>`). */
  chooseGraphFiles(): Promise<string[]> | undefined
  /** Saves text: Electron asks where and writes it; a browser downloads it. Where it went, or undefined if cancelled. */
  saveText(suggestedName: string, text: string): Promise<string | undefined>
  /** A graph file was loaded from this path: the OS's recent documents (Electron). */
  noteRecentFile(path: string): void
  /** Commands from the application menu (Electron); never fires in a browser. */
  readonly onMenuCommand: Event<MenuCommand>
}

export class ElectronFileHost implements FileHost {
  private readonly commands = new Emitter<MenuCommand>()
  readonly onMenuCommand = this.commands.event

  constructor(private readonly bridge: CortexBridge) {
    bridge.onMenuCommand((command) => {
      // Like every message from outside, checked before it is acted on.
      if (isMenuCommand(command)) this.commands.fire(command)
    })
  }

  pathOf(file: File): string | undefined {
    return this.bridge.pathForFile(file) || undefined
  }

  chooseGraphFiles(): Promise<string[]> {
    return this.bridge.chooseGraphFiles()
  }

  saveText(suggestedName: string, text: string): Promise<string | undefined> {
    return this.bridge.saveTextFile(suggestedName, text)
  }

  noteRecentFile(path: string): void {
    this.bridge.addRecentDocument(path)
  }
}

export class BrowserFileHost implements FileHost {
  readonly onMenuCommand: Event<MenuCommand> = new Emitter<MenuCommand>().event

  pathOf(): undefined {
    return undefined
  }

  chooseGraphFiles(): undefined {
    return undefined
  }

  /** A download (the browser decides where: its downloads folder, or it asks). */
  async saveText(suggestedName: string, text: string): Promise<string> {
    const url = URL.createObjectURL(new Blob([text], { type: suggestedName.endsWith('.json') ? 'application/json' : 'application/x-ndjson' }))
    const link = document.createElement('a')
    link.href = url
    link.download = suggestedName
    link.click()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
    return suggestedName
  }

  noteRecentFile(): void {}
}
