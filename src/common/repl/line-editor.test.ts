import { describe, expect, it } from 'vitest'
import { inputState } from './input-state'
import { LineEditor } from './line-editor'

describe('LineEditor', () => {
  it('submits the typed line on Enter and starts empty again', () => {
    const editor = new LineEditor()
    expect(editor.input('x * 2')).toEqual([{ kind: 'redraw', line: 'x * 2', position: 5 }])
    expect(editor.input('\r')).toEqual([{ kind: 'submit', line: 'x * 2' }])
    expect(editor.line).toBe('')
  })

  it('edits in the middle of the line with arrows, backspace, delete, Home and End', () => {
    const editor = new LineEditor()
    editor.input('ac')
    editor.input('\x1b[D') // left
    editor.input('b')
    expect([editor.line, editor.position]).toEqual(['abc', 2])
    editor.input('\x1b[H') // Home
    editor.input('\x1b[3~') // Delete
    expect([editor.line, editor.position]).toEqual(['bc', 0])
    editor.input('\x1b[F\x7f') // End, Backspace
    expect([editor.line, editor.position]).toEqual(['b', 1])
  })

  it('turns a multi-line paste into one submit per line, each drawn before it is submitted', () => {
    const editor = new LineEditor()
    expect(editor.input('const a = 1\r\na + 1\r')).toEqual([
      { kind: 'redraw', line: 'const a = 1', position: 11 },
      { kind: 'submit', line: 'const a = 1' },
      { kind: 'redraw', line: 'a + 1', position: 5 },
      { kind: 'submit', line: 'a + 1' }
    ])
  })

  it('Ctrl+C interrupts and clears the line; Ctrl+U deletes to the start', () => {
    const editor = new LineEditor()
    editor.input('abc')
    expect(editor.input('\x03')).toEqual([{ kind: 'interrupt', line: 'abc' }])
    expect(editor.line).toBe('')
    editor.input('hello world\x1b[D\x1b[D\x15')
    expect([editor.line, editor.position]).toEqual(['ld', 0])
  })

  it('Shift+Tab asks for the next mode and leaves the line as it is', () => {
    const editor = new LineEditor()
    editor.input('ls')
    expect(editor.input('\x1b[Z')).toEqual([{ kind: 'next-mode' }])
    expect(editor.line).toBe('ls')
  })

  it('Up and Down walk the history, keeping the line being typed; a recalled line runs as shown', () => {
    const editor = new LineEditor({ history: ['const a = 1', 'a + 1'] })
    editor.input('dra')
    expect(editor.input('\x1b[A')).toEqual([{ kind: 'redraw', line: 'a + 1', position: 5 }])
    expect(editor.input('\x1bOA')).toEqual([{ kind: 'redraw', line: 'const a = 1', position: 11 }])
    expect(editor.input('\x1b[A')).toEqual([{ kind: 'none' }]) // the oldest: nowhere further
    editor.input('\x1b[B\x1b[B')
    expect([editor.line, editor.position]).toEqual(['dra', 3]) // the draft is back
    expect(editor.input('\x1b[B')).toEqual([{ kind: 'none' }])
    editor.input('\x1b[A\x7f2\r') // recall `a + 1`, edit it to `a + 2`, run it
    expect(editor.history).toEqual(['const a = 1', 'a + 1', 'a + 2'])
    expect(editor.input('\x1b[A\x1b[A')).toEqual([{ kind: 'redraw', line: 'a + 1', position: 5 }]) // the entry itself is unchanged
  })

  it('adds submitted lines to the history (not blank ones, not a repeat of the newest), bounded, and reports each', () => {
    const added: string[] = []
    const editor = new LineEditor({ history: ['old', '', 'older'], historySize: 3, onDidAddHistory: (line) => added.push(line) })
    expect(editor.history).toEqual(['old', 'older'])
    editor.input('x\r\r   \rx\ry\r')
    expect(added).toEqual(['x', 'y'])
    expect(editor.history).toEqual(['older', 'x', 'y'])
    editor.input('\x1b[A\x03') // Ctrl+C leaves the history walk: Up starts from the newest again
    expect(editor.input('\x1b[A')).toEqual([{ kind: 'redraw', line: 'y', position: 1 }])
  })

  it('Ctrl+D ends input on an empty line and deletes forward on a non-empty one', () => {
    const editor = new LineEditor()
    editor.input('ab\x1b[D')
    expect(editor.input('\x04')).toEqual([{ kind: 'redraw', line: 'a', position: 1 }])
    expect(editor.input('\x04')).toEqual([{ kind: 'none' }]) // at the end: nothing to delete
    editor.input('\x15')
    expect(editor.input('\x04')).toEqual([{ kind: 'eof' }])
  })

  it('Tab after a word asks for completion; replace() applies it; Tab elsewhere indents', () => {
    const editor = new LineEditor()
    editor.input('const x = gre')
    expect(editor.input('\t')).toEqual([{ kind: 'complete', line: 'const x = gre', position: 13 }])
    editor.replace(10, 13, 'greeting')
    expect([editor.line, editor.position]).toEqual(['const x = greeting', 18])
    const blank = new LineEditor()
    blank.input('\t')
    expect(blank.line).toBe('  ')
  })

  it('ignores unknown escape sequences without inserting them', () => {
    const editor = new LineEditor()
    expect(editor.input('\x1b[A')).toEqual([{ kind: 'none' }])
    expect(editor.line).toBe('')
  })

  describe('multi-line input', () => {
    it('Alt+Enter and Ctrl+J insert a line break; Enter submits the whole input', () => {
      const editor = new LineEditor()
      editor.input('a\x1b\rb\nc')
      expect([editor.line, editor.position]).toEqual(['a\nb\nc', 5])
      expect(editor.input('\r')).toEqual([{ kind: 'submit', line: 'a\nb\nc' }])
      expect(editor.history).toEqual(['a\nb\nc'])
    })

    it('Enter continues an incomplete input on a new line, and submits it once it is complete', () => {
      const editor = new LineEditor({ continues: (input) => inputState(input) === 'incomplete' })
      expect(editor.input('function f() {\r')).toEqual([{ kind: 'redraw', line: 'function f() {\n', position: 15 }])
      const actions = editor.input('  return 1\r}\r')
      expect(actions.at(-1)).toEqual({ kind: 'submit', line: 'function f() {\n  return 1\n}' })
    })

    it('Up and Down move between lines, keeping the column, and reach the history only from the first and last line', () => {
      const editor = new LineEditor({ history: ['older'] })
      editor.input('first line\x1b\rab\x1b\rthird')
      editor.input('\x1b[A') // to `ab`, column 2 (its end)
      expect(editor.position).toBe('first line\nab'.length)
      editor.input('\x1b[A') // to `first line`, column 2
      expect(editor.position).toBe(2)
      editor.input('\x1b[B\x1b[B') // back down to `third`
      expect(editor.position).toBe('first line\nab\nth'.length)
      editor.input('\x1b[A\x1b[A\x1b[A') // up and past the first line: the history
      expect(editor.line).toBe('older')
      editor.input('\x1b[B')
      expect(editor.line).toBe('first line\nab\nthird') // the draft, whole
    })

    it('Home, End and Ctrl+U act on the current line; Ctrl+C clears every line', () => {
      const editor = new LineEditor()
      editor.input('one\x1b\rtwo three\x1b[D')
      editor.input('\x1b[H')
      expect(editor.position).toBe(4)
      editor.input('\x1b[F')
      expect(editor.position).toBe(13)
      editor.input('\x15')
      expect(editor.line).toBe('one\n')
      expect(editor.input('\x03')).toEqual([{ kind: 'interrupt', line: 'one\n' }])
      expect(editor.line).toBe('')
    })
  })

  describe('reverse search (Ctrl+R)', () => {
    const history = ['const total = 1', 'print(total)', 'function f() {\n  return total\n}', 'ls']

    it('narrows as the query grows, goes to older matches on Ctrl+R, and Enter accepts the match without running it', () => {
      const editor = new LineEditor({ history })
      editor.input('draft')
      expect(editor.input('\x12')).toEqual([{ kind: 'redraw', line: 'draft', position: 5, search: { query: '', failed: false } }])
      expect(editor.input('tot')).toEqual([{ kind: 'redraw', line: history[2], position: 24, search: { query: 'tot', failed: false } }])
      expect(editor.input('\x12')).toEqual([{ kind: 'redraw', line: 'print(total)', position: 6, search: { query: 'tot', failed: false } }])
      editor.input('\x12\x12') // past the oldest match: failed, still showing it
      expect(editor.searching).toEqual({ query: 'tot', failed: true })
      expect(editor.input('\r')).toEqual([{ kind: 'redraw', line: 'const total = 1', position: 15 }])
      expect(editor.searching).toBeUndefined()
      expect(editor.input('\r')).toEqual([{ kind: 'submit', line: 'const total = 1' }]) // the next Enter runs it
    })

    it('brings a multi-line entry back whole; Esc and Ctrl+G restore the input as it was', () => {
      const editor = new LineEditor({ history })
      editor.input('draft\x1b[D\x12return')
      expect(editor.input('\x1b')).toEqual([{ kind: 'redraw', line: 'draft', position: 4 }])
      editor.input('\x12return\x07')
      expect([editor.line, editor.position]).toEqual(['draft', 4])
      editor.input('\x12return\r')
      expect(editor.line).toBe(history[2])
    })

    it('another editing key accepts the match and then acts on it', () => {
      const editor = new LineEditor({ history })
      editor.input('\x12prin\x1b[D')
      expect([editor.line, editor.position, editor.searching]).toEqual(['print(total)', 11, undefined])
      editor.input('\x15\x12\x7f\x7f\x7f\x7fls\x01')
      expect([editor.line, editor.position]).toEqual(['ls', 0])
    })
  })

  it('takes older inputs loaded later in front of this session, without repeating one', () => {
    const editor = new LineEditor()
    editor.input('mine\r')
    editor.addOlderHistory(['old', 'mine', 'older'])
    expect(editor.history).toEqual(['old', 'older', 'mine'])
    editor.input('\x1b[A\x1b[A')
    expect(editor.line).toBe('older')
  })

  it('a search begun before the older history arrived finds in it once it does', () => {
    const editor = new LineEditor()
    editor.input('\x12old')
    expect(editor.searching).toEqual({ query: 'old', failed: true })
    editor.addOlderHistory(['an old input', 'another'])
    expect(editor.view()).toEqual({ line: 'an old input', position: 3, search: { query: 'old', failed: false } })
  })
})
