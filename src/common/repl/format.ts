import type { SerializedError } from '../errors'
import { sgr, stripAnsi } from './ansi'
import type { ChannelName, OutputBatch, OutputWrite } from '../repl-contract'
import type { EvalResult, ReplMode } from '../runtime-contract'

/**
 * How the REPL looks in a terminal (the window's xterm pane and the terminal client): ANSI styles,
 * prompts, errors, and labelled channel output. Pure, so both front ends share it.
 */
const SGR = (code: string) => (text: string) => sgr(code, text)
export const style = {
  prompt: SGR('32'),
  error: SGR('31'),
  dim: SGR('2'),
  notice: SGR('33'),
  bold: SGR('1')
}

/**
 * An answer to a waiting gate or approval (`@g1.0 value`, `@a1.0 yes`): sent at once, even while
 * an evaluation runs, since that evaluation may be the one waiting for it.
 */
export function isAnswer(input: string): boolean {
  return parseAnswer(input) !== undefined
}

/** The answer in an input, `@g1.0 value` (a graph run's gate) or `@a1.0 yes` (an AI approval): its id and text. */
export function parseAnswer(input: string): { id: string; text: string } | undefined {
  const match = /^\s*@([ga]\d+\.\d+)\s+([\s\S]*?)\s*$/.exec(input)
  return match ? { id: match[1]!, text: match[2]! } : undefined
}

/** The modes in Shift+Tab order; JS first, the default (the namespace is the point of Cortex). */
export const MODES: readonly ReplMode[] = ['js', 'nl', 'bash']

export function nextMode(mode: ReplMode): ReplMode {
  return MODES[(MODES.indexOf(mode) + 1) % MODES.length]!
}

const MODE_LOOK: Record<ReplMode, { label: string; symbol: string; colour: (text: string) => string }> = {
  js: { label: 'JS', symbol: '›', colour: style.prompt },
  nl: { label: 'NL', symbol: 'ai›', colour: SGR('35') },
  bash: { label: 'BASH', symbol: '$', colour: SGR('34') }
}

/** The mode's name for indicators: JS, NL, BASH. */
export function modeLabel(mode: ReplMode): string {
  return MODE_LOOK[mode].label
}

/** The prompt of a mode, in its colour; dimmed while an evaluation runs (what is typed then runs after it). */
export function promptFor(mode: ReplMode, busy = false): string {
  const look = MODE_LOOK[mode]
  return busy ? style.dim(`${look.symbol} `) : look.colour(`${look.symbol} `)
}

/** The prompt of an input's further lines: `… `, right-aligned under `prompt` (as IPython's `...:`). */
export function continuationFor(prompt: string): string {
  const width = stripAnsi(prompt).length
  return style.dim(`${' '.repeat(Math.max(0, width - 2))}… `)
}

export const PROMPT = promptFor('js')
export const BUSY_PROMPT = promptFor('js', true)

/** Each channel's colour (js output is the user's own and stays plain). */
const CHANNEL_STYLE: Record<ChannelName, (text: string) => string> = {
  js: (t) => t,
  graph: SGR('36'),
  ai: SGR('35'),
  bash: SGR('34'),
  debug: SGR('90'),
  system: SGR('33')
}

export type OutputView = 'user' | 'debug'

export interface OutputFormat {
  view: OutputView
  /** Channels not to show (their output is still recorded). */
  hidden?: ReadonlySet<ChannelName>
}

/** An error as the user reads it: `Uncaught Name: message`, a syntax error's caret, user frames and a graph's trace, dimmed. */
export function formatError(error: SerializedError): string {
  if (error.code === 'cancelled' || error.code === 'interrupted') return style.notice(error.message)
  const headline = style.error(`Uncaught ${error.name}: ${error.message}`)
  const stack = error.stack ?? ''
  if (error.code === 'syntax') return [style.dim(stack), headline].join('\n')
  const firstFrame = stack.search(/^\s+at /m)
  const frames = firstFrame < 0 ? '' : stack.slice(firstFrame).trimEnd()
  const details = error.details as { where?: string; trace?: string[] } | undefined
  const trace = details?.trace && details.where ? style.dim(`  graph: ${details.trace.join(' → ') || '(no node finished)'}; ${details.where}`) : ''
  return [headline, trace, frames && style.dim(frames)].filter(Boolean).join('\n')
}

export function formatResult(result: EvalResult): string {
  return result.ok ? result.text : formatError(result.error)
}

function label(write: OutputWrite, view: OutputView): string {
  if (view === 'debug') {
    const time = new Date(write.time).toISOString().slice(11, 23)
    return style.dim(`[${time} ${write.channel}${write.taskId ? ` ${write.taskId}` : ''} ${write.stream}] `)
  }
  return write.channel === 'js'
    ? ''
    : CHANNEL_STYLE[write.channel](`[${write.channel}${write.taskId && write.channel !== 'system' ? ` ${write.taskId}` : ''}] `)
}

/** A batch as terminal text: every line labelled with its channel (user view) or all its metadata (debug view). */
export function formatBatch(batch: OutputBatch, format: OutputFormat): string {
  let text = batch.dropped ? style.notice(`[${batch.dropped} bytes of output dropped]\n`) : ''
  for (const write of batch.writes) if (!format.hidden?.has(write.channel)) text += formatWrite(write, format, false)
  return text
}

/** One write as terminal text, each line labelled; `continuing`: its first line continues an open line, unlabelled. */
function formatWrite(write: OutputWrite, format: OutputFormat, continuing: boolean): string {
  const prefix = label(write, format.view)
  // Styled line by line: each line stands alone, so output may be cut into chunks at any line end.
  const paint = write.stream === 'stderr' ? (line: string) => (line ? style.error(line) : line) : (line: string) => line
  const lines = write.text.split('\n')
  const last = lines.pop()!
  let text = ''
  lines.forEach((line, i) => (text += `${continuing && i === 0 ? '' : prefix}${paint(line)}\n`))
  return last ? text + `${continuing && lines.length === 0 ? '' : prefix}${paint(last)}` : text
}

/**
 * Output as lines on screen, across batches: a write that ends mid-line (a streamed answer, a
 * `printf` without a line break) leaves its line open, and the next write of the same task,
 * channel and stream continues it without a new label. Anything else (another task's write, a
 * result, a notice) ends the open line first, so lines never interleave; when the open line's
 * task writes again, it starts a new labelled line.
 */
export class OutputLines {
  /** Task, channel and stream of the line left open, if one is. */
  private openKey: string | undefined

  /** A batch as terminal text (see formatBatch); may end mid-line. */
  batch(batch: OutputBatch, format: OutputFormat): string {
    let text = batch.dropped ? this.text(style.notice(`[${batch.dropped} bytes of output dropped]`)) : ''
    for (const write of batch.writes) {
      if (format.hidden?.has(write.channel) || !write.text) continue
      const key = `${write.taskId ?? ''}\0${write.channel}\0${write.stream}`
      const continuing = this.openKey === key
      if (!continuing && this.openKey !== undefined) text += '\n'
      text += formatWrite(write, format, continuing)
      this.openKey = write.text.endsWith('\n') ? undefined : key
    }
    return text
  }

  /** Text of no write (a result, a notice), as whole lines: an open line is ended first. */
  text(text: string): string {
    if (!text) return ''
    const lead = this.openKey === undefined ? '' : '\n'
    this.openKey = undefined
    return lead + (text.endsWith('\n') ? text : `${text}\n`)
  }

  /** The screen ended the open line (an input's transcript went under it): its task's next write starts a new labelled line. */
  lineEnded(): void {
    this.openKey = undefined
  }
}
