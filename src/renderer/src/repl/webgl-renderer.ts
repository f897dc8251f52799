import { WebglAddon } from '@xterm/addon-webgl'
import type { Terminal } from '@xterm/xterm'
import { toDisposable, type Disposable } from '../../../common/lifecycle'

export type RendererKind = 'webgl' | 'dom'

/** What WebGL2 this page has: none, or a GPU (`hardware`), or a rasterizer on the CPU (`software`: SwiftShader, llvmpipe). */
export type Webgl2Support = 'none' | 'software' | 'hardware'

const SOFTWARE_RASTERIZER = /swiftshader|llvmpipe|softpipe|software|microsoft basic render/i

/** Reads the WebGL2 renderer's name (the probe's context is released straight away). */
function webgl2Support(): Webgl2Support {
  try {
    const context = document.createElement('canvas').getContext('webgl2')
    if (!context) return 'none'
    const info = context.getExtension('WEBGL_debug_renderer_info')
    const name = String(context.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : context.RENDERER) ?? '')
    context.getExtension('WEBGL_lose_context')?.loseContext()
    return SOFTWARE_RASTERIZER.test(name) ? 'software' : 'hardware'
  } catch {
    return 'none'
  }
}

/** The user's choice (localStorage `cortex.renderer`): `auto` (the default), or always `webgl` / `dom`. */
export type RendererSetting = 'auto' | RendererKind

export function rendererSetting(storage: Pick<Storage, 'getItem'>): RendererSetting {
  const value = storage.getItem('cortex.renderer')
  return value === 'webgl' || value === 'dom' ? value : 'auto'
}

/**
 * Which renderer draws. `auto` takes WebGL2 only on a GPU: drawn by a software rasterizer, a
 * terminal under heavy output is far slower than with the DOM renderer (measured with
 * `npm run bench -- ui` on SwiftShader: keystroke echo during 100 MB of output p50 230 ms with
 * WebGL, 25 ms with the DOM). Without WebGL2 at all it is always the DOM.
 */
export function chooseRenderer(setting: RendererSetting, support: Webgl2Support): RendererKind {
  if (support === 'none' || setting === 'dom') return 'dom'
  return setting === 'webgl' || support === 'hardware' ? 'webgl' : 'dom'
}

/**
 * Draws the terminal with WebGL2 where {@link chooseRenderer} says so (on a GPU: much less
 * main-thread time per frame under heavy output), else with xterm's DOM renderer. If the GPU context is lost (driver reset, too many
 * contexts) the addon is disposed and the DOM renderer takes over. `onChange` hears which one is
 * active (the pane shows it as `data-renderer`, for the status bar and tests).
 */
export function loadWebglWhereAvailable(terminal: Terminal, onChange: (kind: RendererKind) => void, setting: RendererSetting = 'auto'): Disposable {
  if (chooseRenderer(setting, webgl2Support()) === 'dom') {
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
