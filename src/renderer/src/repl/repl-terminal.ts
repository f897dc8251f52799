import { FitAddon } from '@xterm/addon-fit'
import { Terminal } from '@xterm/xterm'
import { ProtocolError } from '../../../common/errors'
import { DisposableStore, toDisposable, type Disposable } from '../../../common/lifecycle'
import type { CortexApi } from '../api/cortex-api'
import { formatResult, PROMPT, style } from './format'
import { LineEditor } from './line-editor'

const CLEAR_LINE = '\r\x1b[2K'

/**
 * The REPL pane: an xterm.js terminal with a local line editor. Output from the runtime (this
 * window's evaluations, other windows', background work) is drawn above the prompt, batched to
 * one write per animation frame, and the partly typed line is redrawn under it.
 */
export class ReplTerminal implements Disposable {
  private readonly store = new DisposableStore()
  private readonly terminal: Terminal
  private readonly fit = new FitAddon()
  private readonly editor = new LineEditor()
  /** The evaluation this pane is waiting for; no prompt is shown meanwhile. */
  private pending: AbortController | undefined
  private queued: string[] = []
  private frame: number | undefined
  /** Whether the last output ended its line (so the prompt can be drawn after it). */
  private atLineStart = true

  constructor(
    container: HTMLElement,
    private readonly api: CortexApi
  ) {
    this.terminal = new Terminal({
      convertEol: true,
      cursorBlink: true,
      fontFamily: '"DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 10_000,
      theme: { background: '#1e1e1e', foreground: '#d4d4d4' }
    })
    this.terminal.loadAddon(this.fit)
    this.terminal.open(container)
    this.store.add(toDisposable(() => this.terminal.dispose()))
    this.fitToContainer(container)

    this.terminal.writeln(style.dim('Cortex — JavaScript in a live runtime. Enter runs a line; Ctrl+C cancels.'))
    this.store.add(this.terminal.onData((data) => this.handleInput(data)))
    this.store.add(api.onOutput((chunk) => this.print(chunk.stream === 'stderr' ? style.error(chunk.text) : chunk.text)))
    this.store.add(api.onResult((result) => this.print(`${formatResult(result)}\n`)))
    this.store.add(
      api.onConnectionChange((change) => {
        if (change.state === 'disconnected') this.print(style.notice(`[runtime disconnected: ${change.detail ?? 'unknown reason'}]\n`))
      })
    )
    let lastNotice: string | undefined
    this.store.add(
      api.onRuntimeStatus((status) => {
        // Transitional states repeat what the next state says; a reconnect repeats the current one.
        if (!status.message || status.state === 'starting' || status.state === 'restarting' || status.message === lastNotice) return
        lastNotice = status.message
        this.print(style.notice(`[${status.message}]\n`))
      })
    )
    this.redraw()
    this.terminal.focus()
  }

  dispose(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame)
    this.pending?.abort()
    this.store.dispose()
  }

  private fitToContainer(container: HTMLElement): void {
    this.fit.fit()
    let scheduled = false
    const observer = new ResizeObserver(() => {
      if (scheduled) return
      scheduled = true
      requestAnimationFrame(() => {
        scheduled = false
        if (container.clientWidth > 0 && container.clientHeight > 0) this.fit.fit()
      })
    })
    observer.observe(container)
    this.store.add(toDisposable(() => observer.disconnect()))
  }

  private handleInput(data: string): void {
    for (const action of this.editor.input(data)) {
      switch (action.kind) {
        case 'redraw':
          if (!this.pending) this.redraw()
          break
        case 'submit':
          this.submit(action.line)
          break
        case 'interrupt':
          this.interrupt()
          break
        case 'none':
          break
      }
    }
  }

  private submit(line: string): void {
    if (this.pending) return // one evaluation at a time in this pane, for now
    this.terminal.write('\r\n')
    this.atLineStart = true
    if (!line.trim()) return this.redraw()
    const controller = new AbortController()
    this.pending = controller
    this.api.evaluate(line, { signal: controller.signal }).then(
      () => this.finish(controller),
      (error: unknown) => {
        const cancelled = error instanceof ProtocolError && error.code === 'cancelled'
        if (!cancelled) this.print(style.error(`${(error as Error).message}\n`))
        this.finish(controller)
      }
    )
  }

  private interrupt(): void {
    if (this.pending) {
      this.pending.abort()
      this.print(style.notice('^C (cancelled)\n'))
      this.finish(this.pending)
      return
    }
    this.terminal.write(`${style.dim('^C')}\r\n`)
    this.redraw()
  }

  private finish(controller: AbortController): void {
    if (this.pending !== controller) return
    this.pending = undefined
    this.flush()
    this.redraw()
  }

  /** Queues text to appear above the prompt; written once per frame. */
  private print(text: string): void {
    this.queued.push(text)
    this.frame ??= requestAnimationFrame(() => this.flush())
  }

  private flush(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame)
    this.frame = undefined
    if (this.queued.length === 0) return
    const text = this.queued.join('')
    this.queued = []
    // Take the prompt line away, write the output, and put the prompt back underneath.
    const prefix = this.pending || !this.atLineStart ? '' : CLEAR_LINE
    this.atLineStart = text.endsWith('\n')
    this.terminal.write(prefix + text)
    if (!this.pending) this.redraw()
  }

  private redraw(): void {
    const line = this.editor.line
    const back = line.length - this.editor.position
    const lead = this.atLineStart ? CLEAR_LINE : '\r\n'
    this.atLineStart = true
    this.terminal.write(`${lead}${PROMPT}${line}${back > 0 ? `\x1b[${back}D` : ''}`)
  }
}
