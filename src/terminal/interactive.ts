import { ProtocolError } from '../common/errors'
import { DisposableStore, toDisposable } from '../common/lifecycle'
import { continuationFor, formatResult, isAnswer, nextMode, OutputLines, promptFor, style, type OutputFormat } from '../common/repl/format'
import { applyCompletions } from '../common/repl/completion'
import { LineEditor, type SearchView } from '../common/repl/line-editor'
import { OpenRow } from '../common/repl/open-row'
import { PromptBlock, withPrompts } from '../common/repl/prompt-block'
import { drawPromptView } from '../common/repl/prompt-view'
import type { ReplMode } from '../common/runtime-contract'
import type { Connection } from './connection'
import type { HistoryFile } from './history'
import { inputState } from '../common/repl/input-state'
import { stripStyles } from './text'

/** A cancelled evaluation that has not ended within this long is stuck in synchronous code: SIGINT breaks it. */
export const INTERRUPT_AFTER_MS = 300
/** After SIGINT, how long before we say the runtime does not answer. */
const UNANSWERED_AFTER_MS = 2000

/** How output is shown; the runtime says (%view, %channel) and every client follows. */
const format: OutputFormat = { view: 'user' }

export interface TerminalIo {
  stdin: NodeJS.ReadStream
  stdout: NodeJS.WriteStream
  colour: boolean
}

interface Running {
  readonly controller: AbortController
  /** Ctrl+C was pressed: it ends when its result (cancelled or interrupted) arrives. */
  interrupting: boolean
  readonly timers: Array<ReturnType<typeof setTimeout>>
}

/**
 * The REPL in a terminal (stdin and stdout TTYs), behaving like the window's REPL pane: the bottom
 * of the screen is always the prompt with the line being typed; output, results and notices are
 * written above it without disturbing that line (take the prompt away, write, draw it again).
 * Typing never waits: lines entered while an evaluation runs are queued (the prompt is dimmed) and
 * run in order. A JS input that leaves something open (a `{`, a template) continues on the next
 * line (`… `) when Enter is pressed, as in IPython; Alt+Enter or Ctrl+J start a new line in any case
 * (terminals send the same key for Enter and Shift+Enter).
 *
 * Keys: the shared LineEditor's (arrows, Home/End, Ctrl+A/E/U, Up/Down through the lines and the
 * history, which also holds the project's inputs from the windows; Ctrl+R searches it),
 * Shift+Tab cycles the mode (js → nl → bash), Ctrl+C cancels the running evaluation (and after
 * {@link INTERRUPT_AFTER_MS} interrupts the runtime with SIGINT, which breaks a synchronous loop
 * and keeps the namespace) or clears the line (twice on an empty line exits), Ctrl+D on an empty
 * line exits.
 */
export class InteractiveRepl {
  private readonly store = new DisposableStore()
  private readonly editor: LineEditor
  private mode: ReplMode = 'js'
  private readonly queue: Array<{ code: string; mode: ReplMode }> = []
  private current: Running | undefined
  /** What the prompt line shows (from the editor's redraws), so Ctrl+C knows whether the line was empty. */
  private shown: { line: string; position: number; search?: SearchView | undefined } = { line: '', position: 0 }
  /** The prompt and the line at the bottom (a long line wraps onto several rows). */
  private readonly block = new PromptBlock()
  /** Which output line is left open (a streamed answer) and the row it is on, so output continues it. */
  private readonly lines = new OutputLines()
  private readonly openRow = new OpenRow()
  private ctrlCOnEmptyLine = false
  /** Text waiting to be written above the prompt, and what to call once the terminal took it. */
  private pending: string[] = []
  private written: Array<() => void> = []
  private flushScheduled = false
  private exiting = false
  private finished!: (code: number) => void
  private readonly done = new Promise<number>((resolve) => (this.finished = resolve))

  constructor(
    private readonly connection: Connection,
    private readonly io: TerminalIo,
    history: HistoryFile
  ) {
    this.editor = new LineEditor({
      history: history.load(),
      onDidAddHistory: (line) => history.append(line),
      continues: (input) => this.mode === 'js' && inputState(input) === 'incomplete'
    })
  }

  /** Runs until the user exits (0) or the runtime dies (1); resolves with the exit code once the runtime is gone. */
  run(): Promise<number> {
    const { stdin, stdout } = this.io
    const { client } = this.connection
    stdin.setRawMode(true)
    stdin.setEncoding('utf8')
    const onData = (data: string): void => this.handleInput(data)
    const onEnd = (): void => void this.exit(0) // the terminal went away
    stdin.on('data', onData)
    stdin.once('end', onEnd)
    stdin.resume()
    this.store.add(toDisposable(() => (stdin.off('data', onData), stdin.off('end', onEnd))))
    const onResize = (): void => this.drawPrompt()
    stdout.on('resize', onResize)
    this.store.add(toDisposable(() => stdout.off('resize', onResize)))

    this.store.add(client.subscribe('repl.display', (display) => Object.assign(format, { view: display.view, hidden: new Set(display.hidden) })))
    this.store.add(
      client.subscribe('repl.output', (batch) =>
        this.printRaw(this.lines.batch(batch, format), () => {
          if (!client.isClosed) client.call('repl.ack', { seq: batch.seq }).catch(() => undefined)
        })
      )
    )
    // Results of other clients' inputs (this client's come as the answers to its calls).
    this.store.add(client.subscribe('repl.result', (result) => this.print(formatResult(result))))
    this.store.add(
      this.connection.onDidDie((reason) => {
        const log = this.connection.recentLog()
        this.print(style.error(`[${reason}]`) + (log.length ? `\n${style.dim(log.join('\n'))}` : ''))
        void this.exit(1)
      })
    )
    // Raw mode turns Ctrl+C into input; these come from elsewhere (kill, a closed terminal).
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
      ['SIGHUP', 129]
    ] as const) {
      const onSignal = (): void => void this.exit(code)
      process.on(signal, onSignal)
      this.store.add(toDisposable(() => process.off(signal, onSignal)))
    }

    // The project's inputs, from every window and terminal (the runtime's session store), before this file's.
    client.call('repl.history', {}).then(
      (older) => {
        this.editor.addOlderHistory(older)
        if (this.editor.searching) {
          this.shown = this.editor.view()
          this.drawPrompt()
        }
      },
      () => undefined
    )
    this.write(`${style.dim('Cortex — Shift+Tab: mode; Alt+Enter: new line; Ctrl+R: search; Ctrl+D: exit')}\r\n`)
    this.drawPrompt()
    return this.done
  }

  private handleInput(data: string): void {
    if (this.exiting) return
    for (const action of this.editor.input(data)) {
      if (action.kind !== 'interrupt' && action.kind !== 'none') this.ctrlCOnEmptyLine = false
      switch (action.kind) {
        case 'redraw':
          this.shown = { line: action.line, position: action.position, search: action.search }
          this.drawPrompt()
          break
        case 'submit':
          this.submit(action.line)
          break
        case 'interrupt':
          this.interrupt()
          break
        case 'eof':
          void this.exit(0)
          return
        case 'complete':
          void this.complete(action.line, action.position)
          break
        case 'next-mode':
          this.mode = nextMode(this.mode)
          this.drawPrompt()
          break
        case 'none':
          break
      }
    }
  }

  /** The entered input stays on screen as typed, every line; it runs now, or after the running one. */
  private submit(line: string): void {
    this.writeUnderOutput(`${this.transcript(line)}\r\n`)
    this.shown = { line: '', position: 0 }
    // An answer to a gate or an approval (`@g1.0 yes`) goes now, in any mode: the running evaluation may be waiting for it.
    if (isAnswer(line)) this.answer(line)
    // Blank (or, in JS, only comments): not worth an evaluation.
    else if (this.mode === 'js' ? inputState(line) !== 'empty' : line.trim()) this.queue.push({ code: line, mode: this.mode })
    this.runNext()
    this.drawPrompt()
  }

  /** Sends an answer (`@id value`) beside the running evaluation; its result is printed like any other. */
  private answer(line: string): void {
    this.connection.client.call('repl.evaluate', { code: line, mode: 'js' }).then(
      (result) => this.print(formatResult(result)),
      (error: unknown) => {
        if (!(error instanceof ProtocolError && error.code === 'connection-closed')) this.print(style.error((error as Error).message))
      }
    )
  }

  /** Writes where the prompt is, under all output (ending a row left open). */
  private writeUnderOutput(text: string): void {
    this.write(`${this.flushText()}${this.eraseBlock()}${text}`)
    this.openRow.end()
    this.lines.lineEnded()
  }

  private runNext(): void {
    if (this.current || this.exiting) return
    const next = this.queue.shift()
    if (!next) return
    const running: Running = { controller: new AbortController(), interrupting: false, timers: [] }
    this.current = running
    // After a cancel the answer still comes: the outcome (cancelled, or interrupted by SIGINT).
    this.connection.client.call('repl.evaluate', next, { signal: running.controller.signal, awaitAnswerOnCancel: true }).then(
      (result) => {
        this.print(formatResult(result))
        this.finish(running)
      },
      (error: unknown) => {
        // Disconnected: onDidDie says why.
        if (!(error instanceof ProtocolError && error.code === 'connection-closed')) this.print(style.error((error as Error).message))
        this.finish(running)
      }
    )
  }

  private finish(running: Running): void {
    if (this.current !== running) return
    for (const timer of running.timers) clearTimeout(timer)
    this.current = undefined
    this.runNext()
    this.drawPrompt()
  }

  /**
   * Ctrl+C. Running: cancel it and drop what was typed ahead; if it has not ended after
   * {@link INTERRUPT_AFTER_MS} (a synchronous loop never sees the cancel), SIGINT the runtime.
   * Idle: clear the line (or the continued input); twice on an empty line exits, as in Node.
   */
  private interrupt(): void {
    const cleared = this.shown.line
    this.shown = { line: '', position: 0 }
    const running = this.current
    if (running) {
      const dropped = this.queue.splice(0).length
      if (running.interrupting) {
        this.connection.interrupt()
        this.print(style.notice('^C: interrupting the runtime again'))
        return
      }
      running.interrupting = true
      running.controller.abort()
      this.print(style.notice(`^C: cancelling${dropped ? `; ${dropped} input${dropped > 1 ? 's' : ''} typed ahead dropped` : ''}`))
      running.timers.push(
        setTimeout(() => {
          if (this.current !== running) return
          this.connection.interrupt()
          running.timers.push(
            setTimeout(() => {
              if (this.current === running) this.print(style.notice('[the runtime does not answer the interrupt: Ctrl+C interrupts it again, Ctrl+D quits]'))
            }, UNANSWERED_AFTER_MS)
          )
        }, INTERRUPT_AFTER_MS)
      )
      return
    }
    if (cleared === '' && this.ctrlCOnEmptyLine) return void this.exit(0)
    this.ctrlCOnEmptyLine = cleared === ''
    const hint = this.ctrlCOnEmptyLine ? `\r\n${style.dim('(To exit, press Ctrl+C again or Ctrl+D)')}` : ''
    this.writeUnderOutput(`${this.transcript(cleared)}${style.dim('^C')}${hint}\r\n`)
    this.drawPrompt()
  }

  /** Leaves the prompt line as it is, restores the terminal, and lets the runtime go. */
  private async exit(code: number): Promise<void> {
    if (this.exiting) return
    this.exiting = true
    for (const timer of this.current?.timers ?? []) clearTimeout(timer)
    this.writeUnderOutput(`${this.transcript(this.shown.line)}\r\n`)
    this.store.dispose()
    try {
      this.io.stdin.setRawMode(false)
      this.io.stdin.pause()
    } catch {
      // the terminal is gone (SIGHUP): nothing left to restore
    }
    await this.connection.close()
    this.finished(code)
  }

  /** Queues text to appear above the prompt (one write per turn of the event loop); `written` runs once the terminal took it. */
  private print(text: string, written?: () => void): void {
    this.printRaw(this.lines.text(text), written)
  }

  /** As print, for text already shaped by `lines` (it may end mid-line: the row stays open). */
  private printRaw(text: string, written?: () => void): void {
    if (text) this.pending.push(text)
    if (written) this.written.push(written)
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      const text = this.flushText()
      this.write(text && !this.exiting ? text + this.promptLine() : text)
    })
  }

  /** Takes the waiting output: the prompt block is erased and the text written where it was. */
  private flushText(): string {
    const written = this.written.splice(0)
    if (written.length) this.afterWrite.push(...written)
    if (this.pending.length === 0) return ''
    const text = this.pending.join('')
    this.pending = []
    const { columns = 80, rows = 24 } = this.io.stdout
    return this.eraseBlock() + this.openRow.write(text, columns, rows).replace(/\r?\n/g, '\r\n')
  }

  /** Callbacks of the text the next write carries. */
  private afterWrite: Array<() => void> = []

  private write(text: string): void {
    const callbacks = this.afterWrite.splice(0)
    const done = (): void => callbacks.forEach((callback) => callback())
    if (!text) return void process.nextTick(done)
    // Acknowledged once the terminal has taken it: the runtime's output waits for the screen (flow control).
    this.io.stdout.write(this.paint(text), done)
  }

  /** Tab: asks the runtime, inserts what the completions share, lists them when there is a choice. */
  private async complete(line: string, position: number): Promise<void> {
    if (this.mode !== 'js') return
    const completions = await this.connection.client.call('repl.complete', { code: line, cursor: position }).catch(() => undefined)
    // Typed on meanwhile: the answer is for a line that is gone.
    if (!completions || this.editor.line !== line || this.editor.position !== position) return
    const { insert, list } = applyCompletions(line, completions)
    if (list) this.print(list)
    if (insert) {
      this.editor.replace(insert.from, insert.to, insert.text)
      this.shown = { line: this.editor.line, position: this.editor.position }
    }
    this.drawPrompt()
  }

  /** Draws the prompt again, under any output still waiting (so a result shows before the prompt turns ready). */
  private drawPrompt(): void {
    if (this.exiting) return
    this.write(this.flushText() + this.promptLine())
  }

  private get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0
  }

  /** An input as the transcript keeps it: all its lines, behind their prompts. */
  private transcript(input: string): string {
    const prompt = promptFor(this.mode, this.busy)
    return withPrompts(prompt, continuationFor(prompt), input)
  }

  private eraseBlock(): string {
    return this.block.erase()
  }

  /** The prompt and the line, redrawn in place, with the cursor where the editor has it. */
  private promptLine(): string {
    const view = { mode: this.mode, busy: this.busy, ...this.shown }
    return drawPromptView(this.block, view, this.io.stdout.columns || 80)
  }

  /** Without colour (NO_COLOR), styles go; cursor movement stays. */
  private paint(text: string): string {
    return this.io.colour ? text : stripStyles(text)
  }
}
