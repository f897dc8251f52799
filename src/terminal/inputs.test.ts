import { describe, expect, it } from 'vitest'
import { InputSplitter, inputState } from './inputs'

describe('inputState', () => {
  it('treats a line that leaves nothing open as complete, including syntax errors the runtime will report', () => {
    for (const source of [
      '1 + 1',
      'x * 2 + n',
      'const x = 20',
      '`a ${ {b: 1}.b } c`',
      'await f()',
      'import x from "y"',
      'const x: number = 1',
      '"abc',
      'a = /[/',
      ')'
    ])
      expect([source, inputState(source)]).toEqual([source, 'complete'])
  })

  it('waits for open brackets, templates, block comments and code cut short', () => {
    for (const source of [
      'function f(a: number) {',
      'const o = {',
      'f(1,',
      '[1,',
      '`abc',
      'x = `a ${b',
      '/* note',
      '1 +',
      'if (x)',
      'x =>',
      'class A {',
      'x + typeof',
      'a * new',
      'n -'
    ])
      expect([source, inputState(source)]).toEqual([source, 'incomplete'])
  })

  it('calls blanks and comments empty', () => {
    for (const source of ['', '   ', '// note', '/* a */ // b']) expect(inputState(source)).toBe('empty')
  })
})

describe('InputSplitter', () => {
  it('makes one input per line, joins lines until the input is complete, and drops empty ones', () => {
    const splitter = new InputSplitter()
    const inputs = ['const x = 20', '', '// the answer', 'function f(a: number) {', '  return a * 2', '}', 'f(x) +', '  2'].map((line) => splitter.push(line))
    expect(inputs).toEqual(['const x = 20', undefined, undefined, undefined, undefined, 'function f(a: number) {\n  return a * 2\n}', undefined, 'f(x) +\n  2'])
    expect(splitter.continuing).toBe(false)
  })

  it('hands over what is left at the end as it is, and forgets it on reset', () => {
    const splitter = new InputSplitter()
    expect(splitter.push('const o = {')).toBeUndefined()
    expect(splitter.continuing).toBe(true)
    expect(splitter.end()).toBe('const o = {')
    splitter.push('f(')
    splitter.reset()
    expect(splitter.push('1')).toBe('1')
    expect(splitter.end()).toBeUndefined()
  })
})
