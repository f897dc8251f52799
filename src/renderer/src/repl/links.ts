import { WebLinksAddon } from '@xterm/addon-web-links'
import type { IBufferCellPosition, ILink, Terminal } from '@xterm/xterm'
import { DisposableStore, type Disposable } from '../../../common/lifecycle'
import { isExternalWebUrl } from '../../../common/open-path'
import { findPathLinks, type PathMatch } from '../../../common/repl/path-links'

export interface LinkHandlers {
  /** An http(s) URL to open outside the app. */
  openUrl(url: string): void
  /** A file path as printed (maybe relative to the runtime's directory), to open with the system's handler. */
  openPath(path: string): void
}

/** Ctrl+click (Cmd+click on macOS) follows a link, as in VS Code's terminal: a plain click selects text. */
const IS_MAC = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform)
const MODIFIER = IS_MAC ? 'Cmd' : 'Ctrl'
const wantsToFollow = (event: MouseEvent): boolean => (IS_MAC ? event.metaKey : event.ctrlKey)

/** Opens a web page in the user's browser: a new tab in the browser mode; Electron main hands it to the system. */
export function openUrlOutside(url: string): void {
  if (isExternalWebUrl(url)) window.open(url, '_blank', 'noopener,noreferrer')
}

/**
 * Makes URLs (http/https, xterm's web-links addon) and file paths with an optional :line:col (our
 * provider) in the terminal into links: hovering underlines them and shows a tooltip, Ctrl/Cmd+click
 * follows them.
 */
export function registerLinks(terminal: Terminal, handlers: LinkHandlers): Disposable {
  const store = new DisposableStore()
  const tooltip = store.add(new LinkTooltip(terminal))
  const urls = new WebLinksAddon(
    (event, url) => {
      if (wantsToFollow(event) && isExternalWebUrl(url)) handlers.openUrl(url)
    },
    { hover: (event, url) => tooltip.show(event, `Follow link (${MODIFIER}+click)`, url), leave: () => tooltip.hide() }
  )
  terminal.loadAddon(urls)
  store.add(urls)
  store.add(
    terminal.registerLinkProvider({
      provideLinks: (row, callback) => callback(pathLinksAt(terminal, row, handlers, tooltip))
    })
  )
  return store
}

/** The path links of the wrapped line that buffer row `row` (1-based) belongs to. */
function pathLinksAt(terminal: Terminal, row: number, handlers: LinkHandlers, tooltip: LinkTooltip): ILink[] | undefined {
  const buffer = terminal.buffer.active
  let first = row - 1
  while (first > 0 && buffer.getLine(first)?.isWrapped) first--
  let text = ''
  for (let y = first; y < buffer.length; y++) {
    const line = buffer.getLine(y)
    if (!line || (y > first && !line.isWrapped)) break
    text += line.translateToString(false)
  }
  const cols = terminal.cols
  // Characters are taken as one cell each, like the prompt (wide characters may shift a link).
  const at = (offset: number): IBufferCellPosition => ({ x: (offset % cols) + 1, y: first + Math.floor(offset / cols) + 1 })
  const links = findPathLinks(text).map((match): ILink => ({
    range: { start: at(match.start), end: at(match.end - 1) },
    text: text.slice(match.start, match.end),
    decorations: { underline: true, pointerCursor: true },
    activate: (event) => {
      if (wantsToFollow(event)) handlers.openPath(match.path)
    },
    hover: (event) => tooltip.show(event, `Open file (${MODIFIER}+click)`, describe(match)),
    leave: () => tooltip.hide()
  }))
  return links.length ? links : undefined
}

function describe(match: PathMatch): string {
  if (match.line === undefined) return match.path
  return `${match.path}, line ${match.line}${match.column !== undefined ? `, column ${match.column}` : ''}`
}

/** The hover tooltip: inside the terminal element with xterm's `xterm-hover` class, so the mouse over it does not count as leaving. */
class LinkTooltip implements Disposable {
  private element: HTMLElement | undefined

  constructor(private readonly terminal: Terminal) {}

  show(event: MouseEvent, action: string, target: string): void {
    const host = this.terminal.element
    if (!host) return
    this.hide()
    const element = document.createElement('div')
    element.className = 'xterm-hover repl-link-tooltip'
    element.setAttribute('role', 'tooltip')
    element.textContent = `${action}: ${target}`
    const bounds = host.getBoundingClientRect()
    element.style.left = `${Math.max(0, event.clientX - bounds.left)}px`
    element.style.top = `${Math.max(0, event.clientY - bounds.top + 16)}px`
    host.appendChild(element)
    this.element = element
  }

  hide(): void {
    this.element?.remove()
    this.element = undefined
  }

  dispose(): void {
    this.hide()
  }
}
