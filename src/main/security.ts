import type { Session, WebContents, WebPreferences } from 'electron'
import { CONTENT_SECURITY_POLICY_HEADER } from '../common/csp'
import type { Logger } from '../common/logger'
import { isExternalWebUrl } from '../common/open-path'

/** Electron's security checklist, written once: every window gets exactly these preferences. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false
  }
}

/**
 * Is `url` the app's own renderer page? Query and hash are ignored, everything else must match:
 * the packaged index.html (file:) or the dev server's origin.
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  let candidate: URL
  let app: URL
  try {
    candidate = new URL(url)
    app = new URL(appUrl)
  } catch {
    return false
  }
  if (app.protocol === 'file:') return candidate.protocol === 'file:' && candidate.host === app.host && candidate.pathname === app.pathname
  return candidate.origin === app.origin
}

/**
 * The renderer is a single page: it never navigates, opens windows or embeds webviews. A web link
 * it opens (http/https only: a URL clicked in the REPL's output) goes to the user's browser
 * (`openExternal`, i.e. `shell.openExternal`), never into an Electron window.
 */
export function hardenWebContents(contents: WebContents, log: Logger, openExternal: (url: string) => Promise<void>): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault()
    log.warn('blocked a navigation', { url })
  })
  contents.on('will-redirect', (event, url) => {
    event.preventDefault()
    log.warn('blocked a redirect', { url })
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    log.warn('blocked a webview')
  })
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalWebUrl(url)) {
      openExternal(url).catch((error: unknown) => log.warn('could not open a link in the browser', { url, message: (error as Error).message }))
    } else log.warn('blocked a new window', { url })
    return { action: 'deny' }
  })
}

/** Denies every permission request (camera, notifications, …) and adds the CSP to responses. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY_HEADER] } })
  })
}
