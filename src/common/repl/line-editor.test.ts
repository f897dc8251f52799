import { describe, expect, it } from 'vitest'
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
    expect(editor.input('\x03')).toEqual([{ kind: 'interrupt' }])
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

  it('ignores unknown escape sequences without inserting them', () => {
    const editor = new LineEditor()
    expect(editor.input('\x1b[A')).toEqual([{ kind: 'none' }])
    expect(editor.line).toBe('')
  })
})
