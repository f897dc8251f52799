import { describe, expect, it } from 'vitest'
import { InputSplitter } from './inputs'

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
