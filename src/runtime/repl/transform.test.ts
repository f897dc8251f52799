import vm from 'node:vm'
import { transform as sucrase } from 'sucrase'
import { describe, expect, it } from 'vitest'
import { InputSyntaxError, mayBeTypeScript, transformArithmetic, transformInput, transformParsed, type TransformedInput } from './transform'

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

  it('knows which inputs cannot bind a name by their own syntax, so the secret scan can skip them', () => {
    for (const code of ['1 + 41', 'x * 2 + 2', 'i >= 0 ? 1 + i : 0', '{ a: 1 }', '[1, 2, 3]', '"text"', '(a, b)'])
      expect(transformInput(code).mayBind, code).toBe(false)
    const binding = [
      "const API_TOKEN = 'tok'",
      'let a',
      'var v = 1',
      'if (c) var nested = 1',
      'function f() {}',
      'class C {}',
      'x = 1',
      'x += 1',
      'x++',
      '--x',
      'delete globalThis.x',
      '({ a } = o)',
      'f()',
      'o.p',
      'await p',
      "import('m')",
      "import x from 'm'",
      '(class { static { x = 1 } })'
    ]
    for (const code of binding) expect(transformInput(code).mayBind, code).toBe(true)
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

  it('sends only inputs that may hold TypeScript through sucrase; for the others it would change nothing', () => {
    const plain = [
      '1 + 41',
      'x * 2 + 2',
      "const greeting = 'hi'",
      '[1, 2, 3].map((n) => n * 2)',
      'let { a, b } = o',
      'class A { #x = 1; static y = 2 }',
      'a = b > c'
    ]
    for (const code of plain) {
      expect(mayBeTypeScript(code), code).toBe(false)
      expect(sucrase(code, { transforms: ['typescript'], disableESTransforms: true, keepUnusedImports: true }).code, code).toBe(code)
    }
    // Each needs sucrase (`f<T>(x)` is a comparison in JavaScript, a generic call in TypeScript).
    for (const code of ['let n: number = 1', 'f<T>(x)', 'x!.y', 'function f(a?) {}', 'enum E { A }', 'type T = string', 'const v = x as Y', '@dec class A {}'])
      expect(mayBeTypeScript(code), code).toBe(true)
  })

  it('takes JavaScript with signs of TypeScript but no `<` as it parses: sucrase would leave it as it is, or refuse it', () => {
    const strip = (code: string) => sucrase(code, { transforms: ['typescript'], disableESTransforms: true, keepUnusedImports: true }).code
    for (const code of [
      'i >= 0 ? 1 + i : 0',
      '({ a: 1 })',
      'a?.b ?? c',
      'x !== y',
      "import x, { y as z } from 'w'",
      'const { a: b = 1 } = c',
      'declare\nlet x = 1'
    ]) {
      expect(mayBeTypeScript(code), code).toBe(true)
      expect(strip(code), code).toBe(code)
    }
    // Valid JavaScript that sucrase's TypeScript parser reads as an arrow with a return type, and refuses.
    expect(() => strip('a ? (b) : c => d')).toThrow()
    expect(() => transformInput('a ? (b) : c => d')).not.toThrow()
    // TypeScript still has its types stripped; with a `<` even what parses as JavaScript.
    expect(transformInput('let n: number = 1').declared).toEqual(['n'])
    expect(transformInput('const v = f<string>(x)').code).not.toContain('<')
  })

  it('takes the TypeScript path when an input without the usual signs still is not JavaScript', () => {
    // An overload signature without types: no ':' or '<', yet TypeScript only.
    expect(transformInput('function f(a);\nfunction f(a) { return a }\nf(2)').declared).toEqual(['f'])
  })

  it("runs a bare arithmetic expression as the parser's path would, without parsing it", () => {
    const context = vm.createContext({ x: 20, a: 7, b: 4, n: -3, i: 1 })
    const outcome = (transformed: TransformedInput) => {
      const { code, ...flags } = transformed
      return { value: vm.runInContext(code, context) as unknown, ...flags }
    }
    for (const code of ['1 + 41', 'x * 2 + 2', '  a%b  ', 'n', '10 / 2 - 1', 'i', 'x +\n  a'])
      expect([code, outcome(transformArithmetic(code)!)]).toEqual([code, outcome(transformParsed(code))])
    // Anything more goes to the parser: calls, members, keywords, literals with a dot, statements, comments.
    for (const code of ['f(1)', 'a.b + 1', 'typeof x', 'await x', 'new X', 'x in y', '1.5 + 1', '01 + 2', 'a = 1', '1 + 1;', 'a // b', '-1', 'let', 'yield'])
      expect([code, transformArithmetic(code)]).toEqual([code, undefined])
  })
})
