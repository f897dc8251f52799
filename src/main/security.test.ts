import { EventEmitter } from 'node:events'
import type { HandlerDetails, OnHeadersReceivedListenerDetails, Session, WebContents } from 'electron'
import { describe, it, expect, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY_HEADER } from '../common/csp'
import { MemoryLogger } from '../common/logger'
import { hardenSession, hardenWebContents, isAppUrl, secureWebPreferences } from './security'

const FILE_APP_URL = 'file:///opt/cortex/resources/app/out/renderer/index.html'
const DEV_APP_URL = 'http://localhost:5173/'

type WindowOpenHandler = (details: HandlerDetails) => unknown

/** Just enough of a WebContents: Node events plus a captured window-open handler. */
class FakeWebContents extends EventEmitter {
  windowOpenHandler: WindowOpenHandler | undefined
  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler
  }
}

function hardenedContents(): { contents: FakeWebContents; log: MemoryLogger; openExternal: ReturnType<typeof vi.fn<(url: string) => Promise<void>>> } {
  const contents = new FakeWebContents()
  const log = new MemoryLogger()
  const openExternal = vi.fn<(url: string) => Promise<void>>(async () => undefined)
  hardenWebContents(contents as unknown as WebContents, log, openExternal)
  return { contents, log, openExternal }
}

function fakeEvent(): { preventDefault: ReturnType<typeof vi.fn> } {
  return { preventDefault: vi.fn() }
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void
type PermissionCheckHandler = (contents: unknown, permission: string, origin: string, details: unknown) => boolean
type HeadersListener = (
  details: Partial<OnHeadersReceivedListenerDetails>,
  callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void
) => void

/** A session that captures the handlers installed on it. */
function hardenedSession(): {
  requestHandler: PermissionRequestHandler
  checkHandler: PermissionCheckHandler
  headersListener: HeadersListener
} {
  const session = {
    setPermissionRequestHandler: vi.fn<(handler: PermissionRequestHandler) => void>(),
    setPermissionCheckHandler: vi.fn<(handler: PermissionCheckHandler) => void>(),
    webRequest: { onHeadersReceived: vi.fn<(listener: HeadersListener) => void>() }
  }
  hardenSession(session as unknown as Session)
  expect(session.setPermissionRequestHandler).toHaveBeenCalledTimes(1)
  expect(session.setPermissionCheckHandler).toHaveBeenCalledTimes(1)
  expect(session.webRequest.onHeadersReceived).toHaveBeenCalledTimes(1)
  const requestHandler = session.setPermissionRequestHandler.mock.calls[0]?.[0]
  const checkHandler = session.setPermissionCheckHandler.mock.calls[0]?.[0]
  const headersListener = session.webRequest.onHeadersReceived.mock.calls[0]?.[0]
  if (typeof requestHandler !== 'function' || typeof checkHandler !== 'function' || typeof headersListener !== 'function') {
    throw new Error('hardenSession did not install function handlers')
  }
  return { requestHandler, checkHandler, headersListener }
}

describe('secureWebPreferences', () => {
  it('isolates the renderer: context isolation and the sandbox on, no Node anywhere, no webview tag', () => {
    const prefs = secureWebPreferences('/opt/cortex/preload/index.cjs')
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
    expect(prefs.webviewTag).toBe(false)
  })

  it('keeps web security on and refuses insecure content', () => {
    const prefs = secureWebPreferences('/opt/cortex/preload/index.cjs')
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.navigateOnDragDrop).toBe(false)
  })

  it('carries the given preload path', () => {
    expect(secureWebPreferences('/some/where/preload.cjs').preload).toBe('/some/where/preload.cjs')
    expect(secureWebPreferences('C:\\cortex\\preload.cjs').preload).toBe('C:\\cortex\\preload.cjs')
  })
})

describe('isAppUrl', () => {
  it('accepts the packaged page itself', () => {
    expect(isAppUrl(FILE_APP_URL, FILE_APP_URL)).toBe(true)
  })

  it('accepts the packaged page with a query string and a hash', () => {
    expect(isAppUrl(`${FILE_APP_URL}?session=1#/graph`, FILE_APP_URL)).toBe(true)
  })

  it('rejects another file on disk', () => {
    expect(isAppUrl('file:///tmp/evil/index.html', FILE_APP_URL)).toBe(false)
    expect(isAppUrl('file:///opt/cortex/resources/app/out/renderer/other.html', FILE_APP_URL)).toBe(false)
  })

  it('rejects the same path on another file host (a network share)', () => {
    expect(isAppUrl('file://evil/opt/cortex/resources/app/out/renderer/index.html', FILE_APP_URL)).toBe(false)
  })

  it('rejects http and https pages when the app is a file: page, even with the same path', () => {
    expect(isAppUrl('https://evil.example/', FILE_APP_URL)).toBe(false)
    expect(isAppUrl('http://localhost:5173/', FILE_APP_URL)).toBe(false)
    expect(isAppUrl('https://evil.example/opt/cortex/resources/app/out/renderer/index.html', FILE_APP_URL)).toBe(false)
  })

  it('accepts any page of the dev server origin', () => {
    expect(isAppUrl('http://localhost:5173/', DEV_APP_URL)).toBe(true)
    expect(isAppUrl('http://localhost:5173/index.html?x=1#y', DEV_APP_URL)).toBe(true)
  })

  it('rejects a different scheme, host or port than the dev server', () => {
    expect(isAppUrl('https://localhost:5173/', DEV_APP_URL)).toBe(false)
    expect(isAppUrl('http://127.0.0.1:5173/', DEV_APP_URL)).toBe(false)
    expect(isAppUrl('http://localhost:5174/', DEV_APP_URL)).toBe(false)
    expect(isAppUrl('https://evil.example/', DEV_APP_URL)).toBe(false)
    expect(isAppUrl(FILE_APP_URL, DEV_APP_URL)).toBe(false)
  })

  it('rejects strings that are not URLs', () => {
    expect(isAppUrl('', FILE_APP_URL)).toBe(false)
    expect(isAppUrl('not a url', FILE_APP_URL)).toBe(false)
    expect(isAppUrl('/opt/cortex/resources/app/out/renderer/index.html', FILE_APP_URL)).toBe(false)
    expect(isAppUrl('about:blank', DEV_APP_URL)).toBe(false)
  })

  it('rejects everything when the app URL itself is not a URL', () => {
    expect(isAppUrl(FILE_APP_URL, 'garbage')).toBe(false)
  })
})

describe('hardenWebContents', () => {
  it('blocks a navigation to another site and logs a warning with its URL', () => {
    const { contents, log } = hardenedContents()
    const event = fakeEvent()
    contents.emit('will-navigate', event, 'https://evil.example')
    expect(event.preventDefault).toHaveBeenCalledTimes(1)
    expect(log.records).toContainEqual({ level: 'warn', message: 'blocked a navigation', data: { url: 'https://evil.example' } })
  })

  it('blocks a navigation even to the app page itself: the renderer is a single page', () => {
    const { contents } = hardenedContents()
    const event = fakeEvent()
    contents.emit('will-navigate', event, FILE_APP_URL)
    expect(event.preventDefault).toHaveBeenCalledTimes(1)
  })

  it('blocks a redirect and logs a warning with its URL', () => {
    const { contents, log } = hardenedContents()
    const event = fakeEvent()
    contents.emit('will-redirect', event, 'https://evil.example/landing')
    expect(event.preventDefault).toHaveBeenCalledTimes(1)
    expect(log.records).toContainEqual({ level: 'warn', message: 'blocked a redirect', data: { url: 'https://evil.example/landing' } })
  })

  it('blocks attaching a webview and logs a warning', () => {
    const { contents, log } = hardenedContents()
    const event = fakeEvent()
    contents.emit('will-attach-webview', event, { preload: '/tmp/evil.js' }, { src: 'https://evil.example' })
    expect(event.preventDefault).toHaveBeenCalledTimes(1)
    expect(log.records.some((r) => r.level === 'warn' && r.message.includes('webview'))).toBe(true)
  })

  it('denies every new window, whatever its URL; only http(s) links go to the browser, the rest are logged', () => {
    const { contents, log, openExternal } = hardenedContents()
    const handler = contents.windowOpenHandler
    expect(handler).toBeTypeOf('function')
    const blocked = [FILE_APP_URL, 'about:blank', 'javascript:alert(1)', 'file:///etc/passwd', 'ftp://example.com/x', 'https:evil']
    for (const url of ['https://example.com/docs?q=1', 'http://127.0.0.1:8080/', ...blocked]) {
      expect(handler?.({ url, frameName: '', features: '', disposition: 'new-window' } as unknown as HandlerDetails)).toEqual({ action: 'deny' })
    }
    expect(openExternal.mock.calls).toEqual([['https://example.com/docs?q=1'], ['http://127.0.0.1:8080/']])
    for (const url of blocked) expect(log.records).toContainEqual({ level: 'warn', message: 'blocked a new window', data: { url } })
  })

  it('logs a link the browser could not open, and still denies the window', async () => {
    const { contents, log, openExternal } = hardenedContents()
    openExternal.mockRejectedValueOnce(new Error('no browser'))
    const details = { url: 'https://example.com/', frameName: '', features: '', disposition: 'new-window' } as unknown as HandlerDetails
    expect(contents.windowOpenHandler?.(details)).toEqual({ action: 'deny' })
    await vi.waitFor(() =>
      expect(log.records).toContainEqual({
        level: 'warn',
        message: 'could not open a link in the browser',
        data: { url: 'https://example.com/', message: 'no browser' }
      })
    )
  })
})

describe('hardenSession', () => {
  it('refuses every permission request', () => {
    const { requestHandler } = hardenedSession()
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn()
      requestHandler({}, permission, callback, {})
      expect(callback).toHaveBeenCalledTimes(1)
      expect(callback).toHaveBeenCalledWith(false)
    }
  })

  it('answers every permission check with false', () => {
    const { checkHandler } = hardenedSession()
    for (const permission of ['media', 'notifications', 'clipboard-read', 'fullscreen']) {
      expect(checkHandler(null, permission, 'https://evil.example', {})).toBe(false)
    }
  })

  it('adds the Content-Security-Policy header to responses and keeps their other headers', () => {
    const { headersListener } = hardenedSession()
    const callback = vi.fn()
    headersListener({ url: 'http://localhost:5173/', responseHeaders: { 'Content-Type': ['text/html'], 'Cache-Control': ['no-store'] } }, callback)
    expect(callback).toHaveBeenCalledTimes(1)
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: {
        'Content-Type': ['text/html'],
        'Cache-Control': ['no-store'],
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY_HEADER]
      }
    })
  })

  it('replaces a weaker Content-Security-Policy sent under the same header name', () => {
    const { headersListener } = hardenedSession()
    const callback = vi.fn()
    headersListener({ responseHeaders: { 'Content-Security-Policy': ['default-src *'] } }, callback)
    expect(callback.mock.calls[0]?.[0]).toEqual({ responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY_HEADER] } })
  })

  it('adds the Content-Security-Policy header to a response without headers', () => {
    const { headersListener } = hardenedSession()
    const callback = vi.fn()
    headersListener({ url: 'http://localhost:5173/' }, callback)
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY_HEADER] } })
  })
})
