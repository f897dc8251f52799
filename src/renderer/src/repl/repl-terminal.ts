import { FitAddon } from '@xterm/addon-fit'
import { Terminal } from '@xterm/xterm'
import { DisposableStore, toDisposable, type Disposable } from '../../../common/lifecycle'
import type { CortexApi } from '../api/cortex-api'
import { applyCompletions } from '../../../common/repl/completion'
import { continuationFor, formatResult, isAnswer, OutputLines, promptFor, style, type OutputFormat } from '../../../common/repl/format'
import { inputState } from '../../../common/repl/input-state'
import { drawPromptView } from '../../../common/repl/prompt-view'
import type { Journal, ReplMode } from '../../../common/runtime-contract'
import type { ReplState } from './repl-state'
import { LineEditor, type SearchView } from '../../../common/repl/line-editor'
import { PromptBlock, withPrompts } from '../../../common/repl/prompt-block'
import { cursorLine, paletteColourOf, pointOf } from './buffer-probe'
import { CompletionPopup } from './completion-popup'
import { openUrlOutside, registerLinks } from './links'
import { OutputPacer } from './output-pacer'
import { OutputWriter } from './output-writer'
import { SavedBuffer } from './saved-buffer'
import { loadWebglWhereAvailable, rendererSetting } from './webgl-renderer'

/**
 * The REPL pane: an xterm.js terminal with a local line editor. The bottom line is always the
 * prompt with the line being typed (dimmed while an evaluation runs: typing ahead is allowed, and
 * lines entered meanwhile run in order afterwards). Everything else (this window's results, other
 * windows', background output) is drawn above the prompt, batched to one write per animation frame (at most every 50 ms while it streams: see OutputPacer).
 */
export class ReplTerminal implements Disposable {
  private readonly store = new DisposableStore()
  private readonly terminal: Terminal
  private readonly fit = new FitAddon()
  /** Enter continues a JS input that leaves something open (a bracket, a template) on a new line. */
  private readonly editor = new LineEditor({ continues: (input) => this.state.mode === 'js' && inputState(input) === 'incomplete' })
  private readonly popup: CompletionPopup
  /** The prompt and the line at the bottom (a long line wraps onto several rows). */
  private readonly block = new PromptBlock()
  /** The evaluation this pane is waiting for. */
  private running: AbortController | undefined
  /** Lines entered while an evaluation ran, in order, with the mode they were typed in; replayed ones are shown when they start. */
  private readonly typedAhead: Array<{ line: string; mode: ReplMode; replayed?: true }> = []
  /** Output above the prompt, flow-controlled; what it prints settles once xterm has parsed it (then the runtime sends more). */
  private readonly output: OutputWriter
  /** Streaming output is written a few times a second, not every frame (the frames between are the keystrokes'). */
  private readonly pacer = new OutputPacer()
  /** Which output line is left open (a streamed answer), so its continuation gets no new label. */
  private readonly lines = new OutputLines()
  private format: OutputFormat = { view: 'user' }

  constructor(
    container: HTMLElement,
    private readonly api: CortexApi,
    private readonly state: ReplState
  ) {
    this.terminal = new Terminal({
      convertEol: true,
      // Steady, as VS Code's terminal: a blinking cursor restarts a CSS animation each time output redraws its row.
      cursorBlink: false,
      fontFamily: '"DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      lineHeight: 1.15, // room for underscores, which DejaVu draws at the bottom of the cell
      scrollback: 10_000,
      theme: { background: '#1e1e1e', foreground: '#d4d4d4' }
    })
    this.terminal.loadAddon(this.fit)
    this.terminal.open(container)
    this.store.add(toDisposable(() => this.terminal.dispose()))
    this.store.add(loadWebglWhereAvailable(this.terminal, (kind) => (container.dataset['renderer'] = kind), rendererSetting(localStorage)))
    this.store.add(
      registerLinks(this.terminal, {
        openUrl: openUrlOutside,
        openPath: (path) => void api.openPath(path).catch((error: unknown) => this.print(style.error((error as Error).message)))
      })
    )
    this.output = this.store.add(
      new OutputWriter(this.terminal, {
        erasePrompt: () => this.block.erase(),
        drawPrompt: () => this.drawPrompt(),
        schedule: (flush) => this.pacer.schedule(flush),
        columns: () => this.terminal.cols,
        rows: () => this.terminal.rows
      })
    )
    this.fitToContainer(container)

    // A reload of the page brings back what the pane showed (the runtime, and its runs, went on meanwhile).
    const saved = this.store.add(new SavedBuffer(this.terminal, sessionStorage, () => this.promptRow()))
    const restored = saved.restore()
    if (restored) {
      this.terminal.write(`${restored}\r\n`)
      this.terminal.writeln(style.dim('[the output above is from before the page was reloaded; output of the meantime is not shown]'))
    } else {
      this.terminal.writeln(
        style.dim(
          'Cortex — JavaScript/TypeScript in a live runtime. Enter runs the input; Shift+Enter adds a line; Ctrl+R searches the history; Ctrl+C cancels; Shift+Tab switches mode (JS, NL, BASH).'
        )
      )
    }
    this.popup = this.store.add(
      new CompletionPopup(container, this.terminal, api, (from, to, text) => {
        this.editor.replace(from, to, text)
        this.drawPrompt()
      })
    )
    // xterm sends "\r" for Enter and Shift+Enter alike: Shift+Enter becomes Alt+Enter, the editor's "new line" key.
    this.terminal.attachCustomKeyEventHandler((event) => {
      if (event.key !== 'Enter' || !event.shiftKey) return true
      if (event.type === 'keydown') this.handleInput('\x1b\r')
      return false
    })
    this.store.add(this.terminal.onData((data) => this.handleInput(data)))
    this.loadHistory()
    this.store.add(
      state.onInsert((text) => {
        // Typed, not run: control characters are dropped so an inserted text can never submit.
        // eslint-disable-next-line no-control-regex -- removing control characters is the point
        this.handleInput(text.replace(/[\x00-\x1f\x7f]/g, ''))
        this.terminal.focus()
      })
    )
    this.store.add(state.onReplay((journal) => this.replay(journal)))
    this.store.add(api.onOutput((batch) => this.output.print(this.lines.batch(batch, this.format))))
    this.store.add(api.onDisplayChange((display) => (this.format = { view: display.view, hidden: new Set(display.hidden) })))
    this.store.add(api.onResult((result) => this.print(formatResult(result))))
    this.store.add(
      api.onConnectionChange((change) => {
        if (change.state === 'disconnected') this.print(style.notice(`[runtime disconnected: ${change.detail ?? 'unknown reason'}]`))
      })
    )
    let lastNotice: string | undefined
    this.store.add(
      api.onRuntimeStatus((status) => {
        // Transitional states repeat what the next state says; a reconnect repeats the current one.
        if (!status.message || status.state === 'starting' || status.state === 'restarting' || status.message === lastNotice) return
        lastNotice = status.message
        this.print(style.notice(`[${status.message}]`))
      })
    )
    this.drawPrompt()
    this.terminal.focus()
    // What the pane reads, line by line (a long line is one line however it wraps): for end-to-end tests and tools.
    ;(container as HTMLElement & { logicalLines?: () => string[] }).logicalLines = () => this.logicalLines()
    Object.assign(container, {
      colourOf: (text: string) => paletteColourOf(this.terminal, text),
      pointOf: (text: string) => pointOf(this.terminal, text),
      cursorLine: () => cursorLine(this.terminal)
    })
  }

  /** The buffer's text, with the rows of each wrapped line joined. */
  logicalLines(): string[] {
    const buffer = this.terminal.buffer.active
    const lines: string[] = []
    for (let i = 0; i < buffer.length; i++) {
      const row = buffer.getLine(i)
      if (!row) continue
      const text = row.translateToString(true)
      if (row.isWrapped && lines.length) lines[lines.length - 1] += text
      else lines.push(text)
    }
    while (lines.length && lines[lines.length - 1] === '') lines.pop()
    return lines
  }

  dispose(): void {
    this.running?.abort()
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

  /** The project's history (every session's and the terminal client's inputs), each time the runtime is connected. */
  private loadHistory(): void {
    const load = (): void =>
      void this.api.history().then(
        (older) => {
          this.editor.addOlderHistory(older)
          const view = this.editor.view()
          if (view.search) this.drawPrompt(view.line, view.position, view.search)
        },
        () => undefined // not connected after all: the next connection loads it
      )
    if (this.api.connection.state === 'connected') load()
    this.store.add(this.api.onConnectionChange((change) => change.state === 'connected' && load()))
  }

  private handleInput(data: string): void {
    if (this.popup.handleKey(data)) return
    for (const action of this.editor.input(data)) {
      switch (action.kind) {
        case 'redraw':
          this.drawPrompt(action.line, action.position, action.search)
          this.popup.update(action.line, action.position, this.state.mode === 'js' && !action.search)
          break
        case 'submit':
          this.submit(action.line)
          break
        case 'interrupt':
          this.interrupt(action.line)
          break
        case 'next-mode':
          this.popup.close()
          this.state.cycleMode()
          this.drawPrompt()
          break
        case 'complete':
          void this.complete(action.line, action.position)
          break
        case 'none':
          break
      }
    }
  }

  /** The entered input stays on screen as typed, every line; it runs now, or after the running evaluation. */
  private submit(line: string): void {
    this.popup.close()
    this.writeUnderOutput(`${this.transcript(promptFor(this.state.mode, Boolean(this.running)), line)}\r\n`)
    // An answer to a gate or an approval (`@g1.0 yes`) goes now, in any mode: the running evaluation may be waiting for it.
    if (isAnswer(line)) this.answer(line)
    else if (line.trim()) this.typedAhead.push({ line, mode: this.state.mode })
    this.runNext()
    this.drawPrompt()
  }

  /** Writes an answer (`@id value`) beside the running evaluation; its result is printed like any other. */
  private answer(line: string): void {
    this.api.evaluate(line, { mode: 'js' }).then(
      (result) => void this.print(formatResult(result)),
      (error: unknown) => void this.print(style.error((error as Error).message))
    )
  }

  /** Writes straight to the terminal where the prompt is, under all output (ending a row left open). */
  private writeUnderOutput(text: string): void {
    this.flush()
    this.terminal.write(`${this.block.erase()}${text}`)
    this.output.endOpenRow()
    this.lines.lineEnded()
  }

  /**
   * A lost session's inputs run again, in order, after what is running: first a note of what is
   * replayed and what is skipped (and why), then each input as if typed, with its output.
   */
  private replay(journal: Journal): void {
    const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`
    const lines = [
      `[replaying ${plural(journal.inputs.length, 'input')} of the lost session${journal.skipped.length ? `; skipped ${journal.skipped.length}:` : ']'}`
    ]
    for (const { code, reason } of journal.skipped) {
      const first = code.split('\n')[0]!
      lines.push(`   ${first.length > 80 ? `${first.slice(0, 79)}…` : first}${code.includes('\n') ? ' …' : ''}  (${reason})`)
    }
    if (journal.skipped.length) lines[lines.length - 1] += ']'
    if (journal.more) lines.push(`[${plural(journal.more, 'later input')} not replayed: at most ${journal.inputs.length} at once]`)
    void this.print(style.notice(lines.join('\n')))
    for (const line of journal.inputs) this.typedAhead.push({ line, mode: 'js', replayed: true })
    this.runNext()
    this.drawPrompt()
  }

  private runNext(): void {
    if (this.running) return
    const next = this.typedAhead.shift()
    if (next === undefined) return
    if (next.replayed) this.writeUnderOutput(`${this.transcript(promptFor(next.mode), next.line)}\r\n`)
    const controller = new AbortController()
    this.running = controller
    this.api.evaluate(next.line, { signal: controller.signal, mode: next.mode }).then(
      (result) => {
        void this.print(formatResult(result))
        this.finish(controller)
      },
      (error: unknown) => {
        void this.print(style.error((error as Error).message))
        this.finish(controller)
      }
    )
  }

  private finish(controller: AbortController): void {
    if (this.running !== controller) return
    this.running = undefined
    this.runNext()
    this.flush()
    this.drawPrompt()
  }

  /** Tab: asks the runtime, inserts what the completions share, lists them when there is a choice. */
  private async complete(line: string, position: number): Promise<void> {
    if (this.state.mode !== 'js') return
    const completions = await this.api.complete(line, position).catch(() => undefined)
    // Typed on meanwhile: the answer is for a line that is gone.
    if (!completions || this.editor.line !== line || this.editor.position !== position) return
    const { insert, list } = applyCompletions(line, completions)
    if (insert) this.editor.replace(insert.from, insert.to, insert.text)
    if (list) void this.print(list)
    else this.drawPrompt()
  }

  /**
   * Ctrl+C: cancel the running evaluation and drop the lines typed ahead (its outcome, cancelled or
   * interrupted, is printed when the runtime answers); or just clear the line.
   */
  private interrupt(line: string): void {
    const running = this.running
    const dropped = this.typedAhead.splice(0).length
    this.popup.close()
    if (!running) {
      this.writeUnderOutput(`${this.transcript(promptFor(this.state.mode), line)}${style.dim(' ^C')}\r\n`)
      this.drawPrompt()
      return
    }
    if (running.signal.aborted) return void this.api.interruptRuntime().catch(() => undefined) // a second Ctrl+C
    running.abort()
    void this.print(style.notice(`^C: cancelling${dropped ? `; ${dropped} line${dropped > 1 ? 's' : ''} typed ahead dropped` : ''}`))
    void this.interruptIfStuck()
  }

  /**
   * A cancel reaches the runtime only if its event loop runs. If it does not answer within 300 ms,
   * it is stuck in synchronous code: interrupt it (SIGINT), which breaks the loop and keeps the
   * namespace. (If that does not help either, the host's heartbeat restarts it after 5 s.)
   */
  private async interruptIfStuck(): Promise<void> {
    const answered = await Promise.race([
      this.api.listTasks().then(
        () => true,
        () => true
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), 300))
    ])
    if (!answered) await this.api.interruptRuntime().catch(() => undefined)
  }

  /** The buffer row where the prompt block starts (as parsed so far). */
  private promptRow(): number {
    const buffer = this.terminal.buffer.normal
    return buffer.baseY + buffer.cursorY - this.block.rowsAboveCursor
  }

  /** Queues text to appear above the prompt (see OutputWriter). Resolves once xterm has parsed it. */
  private print(text: string): Promise<void> {
    return this.output.print(this.lines.text(text))
  }

  private flush(): void {
    this.output.flush()
  }

  private drawPrompt(line = this.editor.line, position = this.editor.position, search: SearchView | undefined = this.editor.searching): void {
    const view = { mode: this.state.mode, busy: Boolean(this.running), line, position, search }
    this.terminal.write(drawPromptView(this.block, view, this.terminal.cols))
  }

  /** An input as the transcript keeps it: all its lines, as typed, behind their prompts. */
  private transcript(prompt: string, input: string): string {
    return withPrompts(prompt, continuationFor(prompt), input)
  }
}
