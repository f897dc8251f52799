import { describe, expect, it } from 'vitest'
import { InputSyntaxError, transformInput } from './transform'

describe('transformInput', () => {
  it('hoists top-level declarations out of the wrapper, so they become namespace globals', () => {
    expect(transformInput('const x = 20').declared).toEqual(['x'])
    expect(transformInput('const { a, b: [c, ...d] } = o; let e; function f() {}; class G {}').declared).toEqual(['a', 'c', 'd', 'e', 'f', 'G'])
    expect(transformInput("import fs, { readFile as rf } from 'node:fs'").declared).toEqual(['fs', 'rf'])
  })

  it('wraps in an async function only when the input awaits', () => {
    expect(transformInput('1 + 1').isAsync).toBe(false)
    expect(transformInput('await 1').isAsync).toBe(true)
    expect(transformInput('for await (const x of xs) {}').isAsync).toBe(true)
    expect(transformInput("import x from 'y'").isAsync).toBe(true)
  })

  it('knows which inputs cannot loop, so they skip the SIGINT watchdog', () => {
    for (const code of ['1 + 41', 'x * 2 + 2', "const greeting = 'hi'", '{ a: 1 }', '[1, 2, 3]']) expect(transformInput(code).mayRunLong, code).toBe(false)
    for (const code of ['while (true) {}', 'f()', 'new Thing()', 'obj.prop', 'for (;;) {}', 'for (const x of xs) {}', 'tag`x`', 'const v = compute()'])
      expect(transformInput(code).mayRunLong, code).toBe(true)
  })

  it('reports syntax errors with line, column and a caret under the offending token', () => {
    let error: unknown
    try {
      transformInput('let ok = 1\nlet = = 2')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputSyntaxError)
    expect(error).toMatchObject({ line: 2, column: 4, frame: 'let = = 2\n    ^' })
  })
})
