import { WebglAddon } from '@xterm/addon-webgl'
import type { Terminal } from '@xterm/xterm'
import { toDisposable, type Disposable } from '../../../common/lifecycle'

export type RendererKind = 'webgl' | 'dom'

/** Can this page make a WebGL2 context? (The probe's context is released straight away.) */
function webgl2Works(): boolean {
  try {
    const context = document.createElement('canvas').getContext('webgl2')
    context?.getExtension('WEBGL_lose_context')?.loseContext()
    return context !== null
  } catch {
    return false
  }
}

/**
 * Draws the terminal with WebGL2 where it works (much less main-thread time per frame under heavy
 * output), else with xterm's DOM renderer. If the GPU context is lost (driver reset, too many
 * contexts) the addon is disposed and the DOM renderer takes over. `onChange` hears which one is
 * active (the pane shows it as `data-renderer`, for the status bar and tests).
 */
export function loadWebglWhereAvailable(terminal: Terminal, onChange: (kind: RendererKind) => void): Disposable {
  if (!webgl2Works()) {
    onChange('dom')
    return toDisposable(() => undefined)
  }
  let addon: WebglAddon | undefined
  try {
    addon = new WebglAddon()
    addon.onContextLoss(() => {
      addon?.dispose()
      addon = undefined
      onChange('dom')
    })
    terminal.loadAddon(addon)
    onChange('webgl')
  } catch {
    addon?.dispose()
    addon = undefined
    onChange('dom')
  }
  return toDisposable(() => addon?.dispose())
}
