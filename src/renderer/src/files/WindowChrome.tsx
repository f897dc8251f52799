import { useEffect, useRef, useState } from 'react'
import type { MenuCommand } from '../../../common/bridge'
import type { Journal } from '../../../common/runtime-contract'
import type { CortexApi } from '../api/cortex-api'
import type { ReplState } from '../repl/repl-state'
import { useEventValue } from '../use-event-value'
import type { FileActions } from './file-actions'
import { Dialog } from './Dialog'
import { SettingsDialog } from './SettingsDialog'
import { focusRepl, SHORTCUTS } from './shortcuts'
import type { WindowUi } from './window-ui'
import './window-chrome.css'

interface MenuItem {
  label: string
  hint?: string
  testId: string
  /** It opens a dialog, which takes the focus (the others give it back to the REPL when chosen with the keyboard). */
  opensDialog?: boolean
  run(): void
}

/**
 * The window's File menu (in the title bar), the drop overlay, the keyboard-shortcut overlay and
 * the notices. The same in Electron and the browser mode; Electron's application menu sends the
 * same commands.
 */
export function WindowChrome({ api, actions, ui, repl }: { api: CortexApi; actions: FileActions; ui: WindowUi; repl: ReplState }) {
  const [menuOpen, setMenuOpen] = useState(false)
  const [active, setActive] = useState(0)
  const [dragging, setDragging] = useState(false)
  const [settingsOpen, setSettingsOpen] = useState(false)
  const shortcutsOpen = useEventValue(ui.onShortcutsChange, () => ui.shortcutsOpen)
  const notices = useEventValue(ui.notices.onDidChange, () => ui.notices.current)
  const recent = useEventValue(actions.recent.onDidChange, () => actions.recent.list)
  const graphInput = useRef<HTMLInputElement>(null)
  const traceInput = useRef<HTMLInputElement>(null)
  const menuRef = useRef<HTMLDivElement>(null)
  const itemRefs = useRef<Array<HTMLButtonElement | null>>([])

  const closeMenu = (refocus: boolean) => {
    setMenuOpen(false)
    if (refocus) focusRepl()
  }

  const run = (command: MenuCommand) => {
    switch (command) {
      case 'open-graph':
        if (!actions.openGraphDialog()) graphInput.current?.click()
        break
      case 'import-trace':
        traceInput.current?.click()
        break
      case 'export-trace':
        void actions.exportTrace()
        break
      case 'restart-runtime':
        void actions.restartRuntime()
        break
      case 'settings':
        setSettingsOpen(true)
        break
      case 'shortcuts':
        ui.showShortcuts(true)
        break
    }
  }

  const items: MenuItem[] = [
    { label: 'Open graph…', testId: 'menu-open-graph', run: () => run('open-graph') },
    { label: 'Import trace…', testId: 'menu-import-trace', run: () => run('import-trace') },
    { label: 'Export trace…', testId: 'menu-export-trace', run: () => run('export-trace') },
    { label: 'Restart runtime', hint: 'the namespace is lost', testId: 'menu-restart', run: () => run('restart-runtime') },
    { label: 'Settings…', hint: 'API key, model', testId: 'menu-settings', opensDialog: true, run: () => run('settings') },
    { label: 'Keyboard shortcuts', hint: 'F1', testId: 'menu-shortcuts', opensDialog: true, run: () => run('shortcuts') },
    ...recent.map((path, i) => ({
      label: path.split(/[\\/]/).pop() ?? path,
      hint: path,
      testId: `menu-recent-${i}`,
      run: () => void actions.loadGraph({ path })
    }))
  ]
  const FIXED = 6 // items before the recent files

  // Electron's application menu.
  useEffect(() => {
    const subscription = api.files.onMenuCommand(run)
    return () => subscription.dispose()
  })

  // Window-wide keys, taken before the terminal sees them.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const menuKey = event.altKey && !event.ctrlKey && !event.metaKey && event.code === 'KeyF'
      const helpKey = event.key === 'F1' || ((event.ctrlKey || event.metaKey) && event.key === '/')
      if (!menuKey && !helpKey) return
      event.preventDefault()
      event.stopPropagation()
      if (menuKey) {
        setActive(0)
        setMenuOpen(true)
      } else {
        ui.showShortcuts(!ui.shortcutsOpen)
        if (ui.shortcutsOpen) setMenuOpen(false)
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [ui])

  // The open menu has the keyboard; a click elsewhere closes it.
  useEffect(() => {
    if (!menuOpen) return
    itemRefs.current[active]?.focus()
  }, [menuOpen, active])
  useEffect(() => {
    if (!menuOpen) return
    const onDown = (event: MouseEvent) => {
      if (!menuRef.current?.contains(event.target as Node)) setMenuOpen(false)
    }
    document.addEventListener('mousedown', onDown)
    return () => document.removeEventListener('mousedown', onDown)
  }, [menuOpen])

  // Files dropped anywhere on the window.
  useEffect(() => {
    let depth = 0
    const hasFiles = (event: DragEvent) => Boolean(event.dataTransfer?.types.includes('Files'))
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event)) return
      event.preventDefault()
      depth++
      setDragging(true)
    }
    const onOver = (event: DragEvent) => {
      if (!hasFiles(event)) return
      event.preventDefault() // without this the browser (or Electron) opens the file itself
      event.dataTransfer!.dropEffect = 'copy'
    }
    const onLeave = (event: DragEvent) => {
      if (!hasFiles(event)) return
      depth = Math.max(0, depth - 1)
      if (depth === 0) setDragging(false)
    }
    const onDrop = (event: DragEvent) => {
      event.preventDefault()
      depth = 0
      setDragging(false)
      const files = [...(event.dataTransfer?.files ?? [])]
      if (files.length) void actions.openFiles(files)
    }
    window.addEventListener('dragenter', onEnter)
    window.addEventListener('dragover', onOver)
    window.addEventListener('dragleave', onLeave)
    window.addEventListener('drop', onDrop)
    return () => {
      window.removeEventListener('dragenter', onEnter)
      window.removeEventListener('dragover', onOver)
      window.removeEventListener('dragleave', onLeave)
      window.removeEventListener('drop', onDrop)
    }
  }, [actions])

  const onMenuKey = (event: React.KeyboardEvent) => {
    const move = (to: number) => setActive((to + items.length) % items.length)
    switch (event.key) {
      case 'ArrowDown':
        move(active + 1)
        break
      case 'ArrowUp':
        move(active - 1)
        break
      case 'Home':
        move(0)
        break
      case 'End':
        move(items.length - 1)
        break
      case 'Enter':
      case ' ':
        closeMenu(false)
        items[active]?.run()
        if (!items[active]?.opensDialog) focusRepl()
        break
      case 'Escape':
      case 'Tab':
        closeMenu(true)
        break
      default:
        return
    }
    event.preventDefault()
    event.stopPropagation()
  }

  const onFiles = (input: HTMLInputElement | null) => {
    const files = [...(input?.files ?? [])]
    if (input) input.value = ''
    if (files.length) void actions.openFiles(files)
  }

  return (
    <>
      <div className="menu-bar" role="menubar" aria-label="Application menu" ref={menuRef}>
        <button
          type="button"
          role="menuitem"
          aria-haspopup="menu"
          aria-expanded={menuOpen}
          data-testid="menu-file"
          title="File (Alt+F)"
          onClick={() => {
            setActive(0)
            setMenuOpen(!menuOpen)
          }}
        >
          <u>F</u>ile
        </button>
        {menuOpen && (
          <div className="menu" role="menu" aria-label="File" data-testid="file-menu" onKeyDown={onMenuKey}>
            {items.map((item, i) => (
              <div key={item.testId} role="none">
                {i === FIXED && (
                  <div className="menu-heading" role="presentation">
                    Recent files
                  </div>
                )}
                <button
                  type="button"
                  role="menuitem"
                  tabIndex={i === active ? 0 : -1}
                  className={i === active ? 'active' : undefined}
                  data-testid={item.testId}
                  title={item.hint}
                  ref={(element) => {
                    itemRefs.current[i] = element
                  }}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => {
                    closeMenu(false)
                    item.run()
                  }}
                >
                  <span>{item.label}</span>
                  {item.hint && i < FIXED && <span className="menu-hint">{item.hint}</span>}
                </button>
              </div>
            ))}
            {recent.length === 0 && (
              <div className="menu-heading" role="presentation">
                No recent files
              </div>
            )}
          </div>
        )}
      </div>
      <input ref={graphInput} type="file" accept=".ts,.mts,.js,.mjs" multiple hidden data-testid="open-graph-input" onChange={(e) => onFiles(e.target)} />
      <input ref={traceInput} type="file" accept=".json,.jsonl,.ndjson" hidden data-testid="import-trace-input" onChange={(e) => onFiles(e.target)} />
      {dragging && (
        <div className="drop-overlay" data-testid="drop-overlay">
          <div>Drop a graph (.ts, .js) or a trace (.json, .jsonl)</div>
        </div>
      )}
      {notices.length > 0 && (
        <div className="notices" data-testid="notices" role="status">
          {notices.map((notice) => (
            <div key={notice.id} className={`notice ${notice.kind}`}>
              <span>{notice.text}</span>
              <button type="button" aria-label="Dismiss" onClick={() => ui.notices.dismiss(notice.id)}>
                ×
              </button>
            </div>
          ))}
        </div>
      )}
      <RuntimeBanner api={api} repl={repl} />
      {settingsOpen && <SettingsDialog api={api} onClose={() => (setSettingsOpen(false), focusRepl())} />}
      {shortcutsOpen && <ShortcutOverlay onClose={() => (ui.showShortcuts(false), focusRepl())} />}
    </>
  )
}

/**
 * A runtime that crashed, was restarted or stopped says so at the top of the window (besides the
 * REPL's line and the status bar) until dismissed: the namespace the user built is gone. Once the
 * new runtime is there, it offers to replay the lost session's inputs (its journal, from the
 * session store); after a crash loop, when nothing restarts it on its own, it offers the restart.
 */
function RuntimeBanner({ api, repl }: { api: CortexApi; repl: ReplState }) {
  const status = useEventValue(api.onRuntimeStatus, () => api.runtimeStatus)
  const [dismissed, setDismissed] = useState<string | undefined>()
  const [journal, setJournal] = useState<Journal | undefined>()
  useEffect(() => {
    const subscription = api.onNamespaceLost((sessionId) => {
      setJournal(undefined)
      api.journal(sessionId).then(
        (found) => setJournal(found.inputs.length ? found : undefined),
        () => undefined // no journal to offer: the banner still says what was lost
      )
    })
    return () => subscription.dispose()
  }, [api])
  const message = status?.message
  if (!status || !message || message === dismissed) return null
  const title = status.state === 'crashed' ? 'Runtime crashed' : status.state === 'stopped' ? 'Runtime stopped' : 'Runtime restarted: namespace lost'
  const canRestart = status.state === 'crashed' || status.state === 'stopped'
  const replay = status.state === 'running' ? journal : undefined
  return (
    <div className="runtime-banner" role="alert" data-testid="runtime-banner">
      <strong>{title}</strong>
      <span>{message}</span>
      {canRestart && (
        <button type="button" data-testid="banner-restart" onClick={() => void api.restartRuntime().catch(() => undefined)}>
          Restart
        </button>
      )}
      {replay && (
        <button
          type="button"
          data-testid="banner-replay"
          title={`Runs the lost session's inputs that succeeded, in order${replay.skipped.length ? `; ${replay.skipped.length} skipped (the REPL says which and why)` : ''}`}
          onClick={() => {
            setJournal(undefined)
            repl.replay(replay)
            focusRepl()
          }}
        >
          Replay {replay.inputs.length} input{replay.inputs.length === 1 ? '' : 's'}
        </button>
      )}
      <button type="button" onClick={() => setDismissed(message)} aria-label="Dismiss">
        ×
      </button>
    </div>
  )
}

function ShortcutOverlay({ onClose }: { onClose: () => void }) {
  const closeButton = useRef<HTMLButtonElement>(null)
  useEffect(() => closeButton.current?.focus(), [])
  return (
    <Dialog title="Keyboard shortcuts" className="shortcut-overlay" testId="shortcut-overlay" onClose={onClose} closeButton={closeButton}>
      {SHORTCUTS.map(({ group, keys }) => (
        <section key={group}>
          <h3>{group}</h3>
          <dl>
            {keys.map(([key, what]) => (
              <div key={key}>
                <dt>
                  <kbd>{key}</kbd>
                </dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </Dialog>
  )
}
