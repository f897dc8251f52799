import { describe, expect, it } from 'vitest'
import type { OutputChunk } from '../../common/runtime-contract'
import { JsEvaluator, trimStack } from './evaluator'
import { stripAnsi } from '../../../test/support/ansi'

function setup() {
  const output: OutputChunk[] = []
  const evaluator = new JsEvaluator((chunk) => output.push(chunk))
  const value = (code: string) => {
    const result = evaluator.evaluate(code)
    if (!result.ok) throw new Error(`evaluation failed: ${result.error.message}`)
    return stripAnsi(result.text)
  }
  return { evaluator, output, value }
}

describe('JsEvaluator', () => {
  it('keeps top-level declarations between inputs', () => {
    const { value } = setup()
    value('const x = 20')
    value('let y = 2; function twice(n) { return n * 2 }; class Box { constructor(v) { this.v = v } }')
    expect(value('x * y + 2')).toBe('42')
    expect(value('twice(21)')).toBe('42')
    expect(value('new Box(1).v')).toBe('1')
  })

  it('numbers evaluations and renders values like the Node REPL', () => {
    const { evaluator } = setup()
    const first = evaluator.evaluate('"text"')
    const second = evaluator.evaluate('({ a: [1, 2] })')
    expect(first).toMatchObject({ evalId: 1, ok: true })
    expect(second).toMatchObject({ evalId: 2, ok: true })
    expect(stripAnsi((first as { text: string }).text)).toBe("'text'")
    expect(stripAnsi((second as { text: string }).text)).toBe('{ a: [ 1, 2 ] }')
  })

  it('sends console output as labelled chunks, never to the process stdout', () => {
    const { evaluator, output } = setup()
    const writes: unknown[] = []
    const original = process.stdout.write
    process.stdout.write = ((chunk: unknown) => (writes.push(chunk), true)) as typeof process.stdout.write
    try {
      evaluator.evaluate("console.log('hello', 42); console.error('oops')")
    } finally {
      process.stdout.write = original
    }
    expect(output.map((c) => ({ ...c, text: stripAnsi(c.text) }))).toEqual([
      { evalId: 1, stream: 'stdout', text: 'hello 42\n' },
      { evalId: 1, stream: 'stderr', text: 'oops\n' }
    ])
    expect(writes).toEqual([])
  })

  it('labels output of async work with the evaluation that started it', async () => {
    const { evaluator, output } = setup()
    evaluator.evaluate("setTimeout(() => console.log('later'), 5)")
    evaluator.evaluate("console.log('now')")
    await new Promise((r) => setTimeout(r, 30))
    expect(output.map((c) => [c.evalId, stripAnsi(c.text)])).toEqual([
      [2, 'now\n'],
      [1, 'later\n']
    ])
  })

  it('reports a thrown error with its name, message and the user-code frames only', () => {
    const { evaluator } = setup()
    evaluator.evaluate('function inner() { throw new RangeError("too far") }')
    const result = evaluator.evaluate('inner()')
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error).toMatchObject({ name: 'RangeError', message: 'too far' })
    const frames = result.error.stack!.split('\n').filter((l) => l.trim().startsWith('at '))
    expect(frames.length).toBeGreaterThan(0)
    for (const frame of frames) expect(frame).toMatch(/input-\d+/)
  })

  it('reports syntax errors with the offending input', () => {
    const { evaluator } = setup()
    const result = evaluator.evaluate('const = 1')
    expect(result).toMatchObject({ ok: false, error: { name: 'SyntaxError' } })
    if (!result.ok) expect(result.error.stack).toContain('input-1')
  })

  it('reports non-Error throws readably', () => {
    const { evaluator } = setup()
    expect(evaluator.evaluate('throw { reason: "nope" }')).toMatchObject({ ok: false, error: { name: 'NonErrorThrown', message: '{"reason":"nope"}' } })
  })

  it('keeps runtime internals out of the namespace', () => {
    const { value } = setup()
    expect(value('typeof require')).toBe("'undefined'")
    expect(value('typeof process')).toBe("'undefined'")
    expect(value('typeof module')).toBe("'undefined'")
    expect(value('typeof setTimeout')).toBe("'function'")
  })
})

describe('trimStack', () => {
  it('drops runtime frames and keeps the header and user frames', () => {
    const stack = [
      'Error: x',
      '    at f (input-3:1:7)',
      '    at Script.runInContext (node:vm:149:12)',
      '    at JsEvaluator.evaluate (/app/evaluator.js:10:3)'
    ].join('\n')
    expect(trimStack(stack)).toBe('Error: x\n    at f (input-3:1:7)')
  })
})
