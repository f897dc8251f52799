import { describe, expect, it } from 'vitest'
import type { OutputWrite } from '../../common/repl-contract'
import type { EvalResult } from '../../common/runtime-contract'
import { resultText, stripAnsi } from '../../../test/support/ansi'
import { OutputRouter } from '../engine/output'
import { TaskManager } from '../engine/tasks'
import { Evaluator, trimStack } from './evaluator'

function setup() {
  const output = new OutputRouter({ partialLineMs: 1 })
  const writes: OutputWrite[] = []
  output.onDidWrite((w) => writes.push(w))
  const tasks = new TaskManager()
  const evaluator = new Evaluator({ output, tasks, importModule: (specifier) => import(specifier) })
  const run = async (code: string, signal?: AbortSignal): Promise<string> => resultText(await evaluator.evaluate(code, { signal }))
  return { evaluator, tasks, writes, run, output: () => stripAnsi(writes.map((w) => w.text).join('')) }
}

const failed = (result: EvalResult) => (result.ok ? undefined : result.error)

describe('Evaluator: declarations and values', () => {
  it('keeps every kind of top-level declaration between inputs', async () => {
    const { run } = setup()
    await run('const x = 20')
    await run('let y = 2; var v = 1; function twice(n) { return n * 2 }; class Box { constructor(v) { this.v = v } }')
    await run('const { a, b: [c, ...rest] } = { a: 1, b: [2, 3, 4] }')
    expect(await run('x * y + 2')).toBe('42')
    expect(await run('twice(21)')).toBe('42')
    expect(await run('new Box(v).v')).toBe('1')
    expect(await run('[a, c, rest]')).toBe('[ 1, 2, [ 3, 4 ] ]')
  })

  it('allows declaring a const again in a later input, as DevTools does', async () => {
    const { run } = setup()
    await run('const answer = 41')
    expect(await run('const answer = 42; answer')).toBe('42')
    expect(await run('let answer; answer')).toBe('undefined')
  })

  it('shows declarations as undefined and `{ a: 1 }` as an object', async () => {
    const { run } = setup()
    expect(await run('const z = 5')).toBe('undefined')
    expect(await run('{ a: 1 }')).toBe('{ a: 1 }')
    expect(await run('{ let inner = 3 }')).toBe('undefined') // a real block stays a block
  })

  it("a `var` in a block, an `if` or a loop head is a global, as in a script; `let` and a function's `var` stay inside", async () => {
    const { run } = setup()
    await run('if (true) var fromIf = 1')
    await run('for (var i = 0; i < 3; i++) {}')
    await run('for (var key in { only: 1 }) {}')
    await run('{ var [a, b] = [1, 2]; var unset }')
    await run('if (false) var never = 1; else var taken = "else"')
    expect(await run('[fromIf, i, key, a + b, unset, typeof never, taken]')).toBe("[ 1, 3, 'only', 3, undefined, 'undefined', 'else' ]")
    await run('{ let blockOnly = 1 }')
    await run('function f() { var local = 1 }; f(); [1].forEach(() => { var arrowLocal = 2 })')
    expect(await run('[typeof blockOnly, typeof local, typeof arrowLocal]')).toBe("[ 'undefined', 'undefined', 'undefined' ]")
  })

  it("has Node's web globals, and rebinding one changes the namespace's, not the host's", async () => {
    const { run } = setup()
    expect(await run("typeof fetch + ' ' + typeof URL + ' ' + typeof Buffer")).toBe("'function function function'")
    expect(await run("new Headers({ a: '1' }).get('a') + new Response('body').status")).toBe("'1200'")
    expect(await run('Request === globalThis.Request && Object.keys(globalThis).includes("Request")')).toBe('true')
    await run('Response = 5')
    expect(await run('Response + 1')).toBe('6')
    expect(typeof Response).toBe('function') // the host's own is untouched
    await run('Headers = "mine"')
    expect(await run('Headers')).toBe("'mine'")
  })

  it('keeps JavaScript semantics across lines without semicolons', async () => {
    const { run } = setup()
    // The declaration after `bump()` must not become a call of its result.
    expect(await run('let calls = 0\nconst bump = () => () => ++calls\nbump()\nconst after = 1\ncalls')).toBe('0')
  })

  it('strips TypeScript types', async () => {
    const { run } = setup()
    expect(
      await run('interface P { x: number }\nconst p: P = { x: 2 }\nenum Colour { Red, Green }\nconst id = <T,>(v: T): T => v\nid(p.x) + Colour.Green')
    ).toBe('3')
  })

  it('answers a synchronous input within the call (no span recorded), and one that awaits with a promise; both end their task', async () => {
    const { evaluator, tasks } = setup()
    const now = evaluator.evaluate('const n = 40; n + 2')
    expect(now).not.toBeInstanceOf(Promise)
    expect(resultText(now as EvalResult)).toBe('42')
    expect(evaluator.evaluate('null.boom')).toMatchObject({ ok: false, error: { name: 'TypeError' } })
    const later = evaluator.evaluate('await Promise.resolve(n)')
    expect(later).toBeInstanceOf(Promise)
    expect(resultText(await later)).toBe('40')
    expect(tasks.list().filter((task) => task.state === 'running')).toEqual([])
  })

  it('supports top-level await and for await', async () => {
    const { run } = setup()
    expect(await run('const n = await Promise.resolve(21); n * 2')).toBe('42')
    expect(await run('let sum = 0; for await (const v of (async function* () { yield 1; yield 2 })()) sum += v; sum')).toBe('3')
    expect(await run('sum')).toBe('3') // declared inside an async input, still a global
  })

  it('keeps _ (last value), _error (last error) and a bounded history _1 … _10', async () => {
    const { run, evaluator } = setup()
    for (let i = 1; i <= 12; i++) await run(`${i} * 10`)
    expect(await run('_')).toBe('120')
    // `_` (input 13) was itself a result: 120 again; _10 is then the result of input 4.
    expect(await run('[_1, _2, _10]')).toBe('[ 120, 120, 40 ]')
    expect(evaluator.context['_11']).toBeUndefined()
    await run('null.boom')
    expect(await run('_error.name')).toBe("'TypeError'")
  })

  it('imports node: modules and packages', async () => {
    const { run } = setup()
    expect(await run("import { basename } from 'node:path'; basename('/a/b.txt')")).toBe("'b.txt'")
    expect(await run("import * as zod from 'zod'; typeof zod.z.string")).toBe("'function'")
    expect(await run("const m = await import('node:os'); typeof m.cpus")).toBe("'function'")
  })

  it('pitfall-15 has no runtime internals in the namespace', async () => {
    const { run } = setup()
    expect(await run('[typeof require, typeof process, typeof module, typeof exports]')).toBe("[ 'undefined', 'undefined', 'undefined', 'undefined' ]")
    expect(await run('Object.keys(globalThis).filter((k) => k.startsWith("__"))')).toBe('[]')
  })
})

describe('Evaluator: errors (pitfall 12)', () => {
  it('pitfall-12 a thrown error is reported, trimmed to user frames, and the REPL goes on', async () => {
    const { evaluator, run } = setup()
    await run('function inner() { throw new RangeError("too far") }')
    const error = failed(await evaluator.evaluate('inner()'))!
    expect(error).toMatchObject({ name: 'RangeError', message: 'too far' })
    const frames = error.stack!.split('\n').filter((l) => l.trim().startsWith('at '))
    expect(frames.length).toBeGreaterThan(0)
    for (const frame of frames) expect(frame).toMatch(/input-\d+/)
    expect(await run('1 + 1')).toBe('2')
  })

  it('a syntax error says line and column and points at it', async () => {
    const { evaluator } = setup()
    const error = failed(await evaluator.evaluate('const ok = 1\nconst = 2'))!
    expect(error).toMatchObject({ name: 'SyntaxError', code: 'syntax' })
    expect(error.message).toMatch(/\(line 2, column 7\)$/)
    expect(error.stack).toBe('const = 2\n      ^')
  })

  it('anything can be thrown', async () => {
    const { evaluator } = setup()
    expect(failed(await evaluator.evaluate('throw { reason: "nope" }'))).toMatchObject({ name: 'NonErrorThrown', message: '{"reason":"nope"}' })
    expect(failed(await evaluator.evaluate('await Promise.reject(new Error("async nope"))'))).toMatchObject({ message: 'async nope' })
  })
})

describe('Evaluator: output and tasks', () => {
  it('sends console output through the router, labelled with the evaluation, never to stdout', async () => {
    const { evaluator, writes } = setup()
    const stdout: unknown[] = []
    const original = process.stdout.write
    process.stdout.write = ((chunk: unknown) => (stdout.push(chunk), true)) as typeof process.stdout.write
    try {
      await evaluator.evaluate("console.log('hello', 42); console.error('oops')")
    } finally {
      process.stdout.write = original
    }
    expect(writes.map((w) => [w.channel, w.taskId, w.evalId, w.stream, stripAnsi(w.text)])).toEqual([
      ['js', 'e1', 1, 'stdout', 'hello 42\n'],
      ['js', 'e1', 1, 'stderr', 'oops\n']
    ])
    expect(stdout).toEqual([])
  })

  it('labels output of async work with the evaluation that started it', async () => {
    const { run, writes } = setup()
    await run("setTimeout(() => console.log('later'), 5)")
    await run("console.log('now')")
    await new Promise((r) => setTimeout(r, 30))
    expect(writes.map((w) => [w.evalId, stripAnsi(w.text)])).toEqual([
      [2, 'now\n'],
      [1, 'later\n']
    ])
  })

  it('every evaluation is a task; cancelling it returns even from a promise that never settles', async () => {
    const { evaluator, tasks } = setup()
    const pending = evaluator.evaluate('await new Promise(() => {})')
    await new Promise((r) => setTimeout(r, 10))
    expect(tasks.list()).toContainEqual(expect.objectContaining({ id: 'e1', kind: 'eval', state: 'running' }))
    expect(tasks.cancel('e1')).toBe(true)
    expect(failed(await pending)).toMatchObject({ code: 'cancelled' })
    expect(tasks.list()).toContainEqual(expect.objectContaining({ id: 'e1', state: 'cancelled' }))
  })

  it("the caller's signal cancels the evaluation (Ctrl+C in a window)", async () => {
    const { evaluator } = setup()
    const controller = new AbortController()
    const pending = evaluator.evaluate('await new Promise((r) => setTimeout(r, 10_000))', { signal: controller.signal })
    controller.abort()
    expect(failed(await pending)).toMatchObject({ code: 'cancelled' })
  })
})

describe('trimStack', () => {
  it('drops Node internals and keeps user frames', () => {
    const stack = [
      'Error: x',
      '    at f (input-3:1:7)',
      '    at Script.runInContext (node:vm:149:12)',
      '    at processTicksAndRejections (node:internal/process/task_queues:95:5)'
    ].join('\n')
    expect(trimStack(stack)).toBe('Error: x\n    at f (input-3:1:7)')
  })
})
