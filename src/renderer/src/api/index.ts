import type { CortexBridge } from '../../../common/bridge'
import { createLineLogger } from '../../../common/logger'
import type { CortexApi } from './cortex-api'
import { ElectronLink } from './electron-link'
import { BrowserFileHost, ElectronFileHost } from './file-host'
import { RuntimeSession } from './runtime-session'
import { WebLink } from './web-link'

const TOKEN_KEY = 'cortex.token'

/**
 * The browser mode's session token: it arrives in the URL the host printed, then lives in this
 * tab's session storage (which, unlike a cookie, no other local port can read), out of the address
 * bar, history and screenshots.
 */
function takeSessionToken(): string {
  const fromUrl = new URLSearchParams(window.location.search).get('token')
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl)
    window.history.replaceState(null, '', window.location.pathname)
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

/** The one place that knows whether we run in Electron (the preload set `window.cortex`) or a browser. */
export function createCortexApi(): CortexApi {
  const log = createLineLogger('renderer', (line) => console.warn(line))
  const bridge = (window as { cortex?: CortexBridge }).cortex
  if (bridge) return new RuntimeSession(new ElectronLink(bridge, log), log, new ElectronFileHost(bridge))
  return new RuntimeSession(new WebLink(window.location.origin, takeSessionToken(), log), log, new BrowserFileHost())
}
