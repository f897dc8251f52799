import { describe, expect, it } from 'vitest'
import { PromptBlock } from '../../../common/repl/prompt-block'
import { TestScreen } from '../../../common/repl/test-screen'
import { cutPoint, OutputWriter } from './output-writer'

const PROMPT = '<prompt>'

/** A terminal that parses only when told to, like xterm's write queue under load. */
class SlowTerminal {
  readonly writes: string[] = []
  private readonly callbacks: Array<() => void> = []

  write(data: string, callback?: () => void): void {
    this.writes.push(data)
    if (callback) this.callbacks.push(callback)
  }

  /** Parses the oldest `count` writes. */
  parse(count = Infinity): void {
    for (let i = 0; i < count && this.callbacks.length > 0; i++) this.callbacks.shift()!()
  }

  get screen(): string {
    return this.writes.map((write) => write.split(PROMPT).join('')).join('')
  }
}

function writerFor(terminal: SlowTerminal, sizes = { highWater: 1000, lowWater: 200, chunkSize: 100 }) {
  let scheduled: (() => void) | undefined
  const writer = new OutputWriter(terminal, {
    ...sizes,
    erasePrompt: () => '',
    drawPrompt: () => terminal.write(PROMPT),
    schedule: (flush) => {
      scheduled = flush
      return () => (scheduled = undefined)
    }
  })
  return { writer, frame: () => scheduled?.() }
}

const line = (i: number) => `line ${String(i).padStart(4, '0')} ${'x'.repeat(30)}\n`

describe('OutputWriter', () => {
  it('keeps only what the terminal parses in about a frame unparsed: a slow parser gets a lower watermark, a fast one the full one', () => {
    /** A terminal that parses one write at a time, each taking its length ÷ `bytesPerMs` on the writer's clock. */
    const measure = (bytesPerMs: number) => {
      let clock = 0
      const unparsed: Array<{ size: number; callback: () => void }> = []
      let lines = 0
      const terminal = {
        write: (data: string, callback?: () => void) => {
          lines += data.split('\n').length - 1
          if (callback) unparsed.push({ size: data.length, callback })
        }
      }
      let scheduled: (() => void) | undefined
      const writer = new OutputWriter(terminal, {
        erasePrompt: () => '',
        drawPrompt: () => undefined,
        schedule: (flush) => ((scheduled = flush), () => (scheduled = undefined)),
        now: () => clock
      })
      for (let i = 0; i < 20_000; i++) void writer.print(line(i)) // 800 kB
      scheduled?.()
      let mostUnparsed = 0
      for (let write = unparsed.shift(); write; write = unparsed.shift()) {
        clock += write.size / bytesPerMs
        write.callback()
        mostUnparsed = Math.max(mostUnparsed, writer.pendingBytes)
      }
      return { highWater: writer.effectiveHighWater, mostUnparsed, lines }
    }
    const slow = measure(2 * 1024) // 2 MB/s: 16 ms is 32 kB
    expect(slow.highWater).toBe(32 * 1024)
    expect(slow.lines).toBe(20_000)
    const fast = measure(100 * 1024)
    expect(fast.highWater).toBe(256 * 1024)
    expect(fast.lines).toBe(20_000)
    // Before a rate is known the full watermark applies (the first chunks); the fast parser keeps it.
    expect(fast.mostUnparsed).toBeGreaterThan(200 * 1024)
  })

  it('stops taking output above the high watermark and resumes below the low one, losing nothing', async () => {
    const terminal = new SlowTerminal()
    const { writer, frame } = writerFor(terminal)
    const lines = Array.from({ length: 200 }, (_, i) => line(i))
    const acked: number[] = []
    lines.forEach((text, i) => void writer.print(text).then(() => acked.push(i)))
    frame()
    // Only about the high watermark went to the terminal; the rest waits in the queue.
    expect(writer.pendingBytes).toBeGreaterThanOrEqual(1000)
    expect(writer.pendingBytes).toBeLessThan(1000 + 100)
    const writtenBeforeParsing = terminal.writes.length
    terminal.parse(3) // still above the low watermark: nothing new
    expect(terminal.writes.length).toBe(writtenBeforeParsing)
    terminal.parse(8) // below it: writing resumes
    expect(terminal.writes.length).toBeGreaterThan(writtenBeforeParsing)
    while (writer.queuedBytes > 0 || writer.pendingBytes > 0) terminal.parse(1)
    await Promise.resolve()
    expect(terminal.screen).toBe(lines.join(''))
    expect(acked).toEqual(lines.map((_, i) => i))
  })

  it('acknowledges a text only once the terminal has parsed all of it', async () => {
    const terminal = new SlowTerminal()
    const { writer, frame } = writerFor(terminal)
    let drawn = false
    void writer.print('a'.repeat(250) + '\n').then(() => (drawn = true))
    frame()
    terminal.parse(2)
    await Promise.resolve()
    expect(drawn).toBe(false)
    terminal.parse()
    await Promise.resolve()
    expect(drawn).toBe(true)
  })

  it('writes chunks of whole lines, each followed by the prompt', () => {
    const terminal = new SlowTerminal()
    const { writer, frame } = writerFor(terminal)
    void writer.print(Array.from({ length: 20 }, (_, i) => line(i)).join(''))
    frame()
    expect(terminal.writes.length).toBeGreaterThan(2)
    terminal.writes.forEach((write, i) => {
      if (i % 2 === 1) return expect(write).toBe(PROMPT)
      expect(write.endsWith('\n')).toBe(true)
      expect(write.length).toBeLessThanOrEqual(100)
    })
  })

  it('cuts a line longer than a chunk without splitting an escape sequence or a surrogate pair', () => {
    expect(cutPoint('ab\ncdef', 5, true)).toBe(3)
    expect(cutPoint('abcdef', 4, false)).toBe(0)
    expect(cutPoint('abc\x1b[31mdef', 6, true)).toBe(3)
    expect(cutPoint('abc\x1b[31mdef', 9, true)).toBe(9)
    expect(cutPoint('ab😀cd', 3, true)).toBe(2)
  })

  it('writes a text given after a flush on the next frame, and nothing after dispose', async () => {
    const terminal = new SlowTerminal()
    const { writer, frame } = writerFor(terminal)
    void writer.print('first')
    writer.flush()
    expect(terminal.screen).toBe('first\r\n')
    const late = writer.print('second')
    writer.dispose()
    await late
    frame()
    expect(terminal.screen).toBe('first\r\n')
  })

  it('keeps a row that ends mid-line open: the next text continues it above the prompt, and a transcript under it ends it', () => {
    const screen = new TestScreen(40)
    const block = new PromptBlock()
    const drawPrompt = (): void => screen.write(block.draw('› ', 'typed', 5, 40))
    const writer = new OutputWriter(
      { write: (data, callback) => (screen.write(data), callback?.()) },
      { erasePrompt: () => block.erase(), drawPrompt, schedule: () => () => undefined, columns: () => 40 }
    )
    drawPrompt()
    for (const text of ['one ', 'two ', 'three\n', 'open']) {
      void writer.print(text)
      writer.flush()
    }
    expect(screen.text).toEqual(['one two three', 'open', '› typed'])
    screen.write(`${block.erase()}› entered\r\n`)
    writer.endOpenRow()
    drawPrompt()
    void writer.print('more\n')
    writer.flush()
    expect(screen.text).toEqual(['one two three', 'open', '› entered', 'more', '› typed'])
  })
})
