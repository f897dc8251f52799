import { describe, expect, it } from 'vitest'
import { isAnswer, OutputLines } from './format'
import { OpenRow } from './open-row'
import { PromptBlock } from './prompt-block'
import { TestScreen } from './test-screen'

/** Output above a prompt, as the pane and the terminal client draw it: erase the prompt, write, draw it again. */
function repl(columns = 40) {
  const screen = new TestScreen(columns)
  const block = new PromptBlock()
  const row = new OpenRow()
  let typed = ''
  const prompt = (): void => screen.write(block.draw('› ', typed, typed.length, columns))
  prompt()
  return {
    screen,
    output(text: string): void {
      screen.write(block.erase() + row.write(text, columns))
      prompt()
    },
    type(text: string): void {
      typed += text
      prompt()
    }
  }
}

const write = (text: string, taskId = 'b1', stream: 'stdout' | 'stderr' = 'stdout') => ({
  seq: 1,
  writes: [{ channel: 'bash' as const, stream, text, taskId, time: 0 }]
})

describe('OpenRow', () => {
  it('continues a row left open on the same row, above the prompt and what is typed there', () => {
    const { screen, output, type } = repl()
    output('one ')
    type('ab')
    output('two ')
    type('c')
    output('three\n')
    expect(screen.text).toEqual(['one two three', '› abc'])
  })

  it('goes back over a row that wrapped, and leaves an ended row alone', () => {
    const { screen, output } = repl(10)
    output('0123456789abc')
    output('def\n')
    output('next')
    expect(screen.text).toEqual(['0123456789', 'abcdef', 'next', '› '])
  })

  it('starts a row of its own when the output begins with a line break (another writer ended the line)', () => {
    const { screen, output } = repl()
    output('half')
    output('\nother\n')
    expect(screen.text).toEqual(['half', 'other', '› '])
  })
})

describe('OutputLines', () => {
  it('continues an open line of the same task without a new label, and ends it before another task writes', () => {
    const lines = new OutputLines()
    const format = { view: 'user' as const }
    const { screen, output } = repl(60)
    for (const text of [
      lines.batch(write('one '), format),
      lines.batch(write('two '), format),
      lines.batch(write('other\n', 'b2'), format),
      lines.batch(write('three\n'), format),
      lines.batch(write('x'), format),
      lines.text('=> done')
    ])
      output(text)
    expect(screen.text).toEqual(['[bash b1] one two ', '[bash b2] other', '[bash b1] three', '[bash b1] x', '=> done', '› '])
  })

  it('labels only the lines after the first when a write of several lines continues an open one', () => {
    const lines = new OutputLines()
    const format = { view: 'user' as const }
    const { screen, output } = repl(60)
    output(lines.batch(write('one '), format))
    output(lines.batch(write('two\nthree\nfour'), format))
    output(lines.text('=> done'))
    expect(screen.text).toEqual(['[bash b1] one two', '[bash b1] three', '[bash b1] four', '=> done', '› '])
  })

  it('starts a new labelled line once the screen ended the open one', () => {
    const lines = new OutputLines()
    const format = { view: 'user' as const }
    expect(lines.batch(write('one '), format)).toBe('\x1b[34m[bash b1] \x1b[0mone ')
    lines.lineEnded()
    expect(lines.batch(write('two\n'), format)).toBe('\x1b[34m[bash b1] \x1b[0mtwo\n')
  })
})

describe('isAnswer', () => {
  it('recognises an answer to a gate or an approval, and nothing else', () => {
    for (const input of ['@g1.0 ugh i just got up', '  @a12.3 yes', '@g2.10\tno']) expect(isAnswer(input), input).toBe(true)
    for (const input of ['@g1.0', '@g1 yes', 'x = "@g1.0 yes"', '@G1.0 yes', '@1.0 yes']) expect(isAnswer(input), input).toBe(false)
  })
})
