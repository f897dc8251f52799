import { describe, expect, it } from 'vitest'
import { inputState, type InputState } from './input-state'

/** Each input with what Enter must do with it, in the window and in the terminal alike. */
const TABLE: Array<[string, InputState, string]> = [
  // Open brackets, templates, comments and continued strings.
  ['function f() {', 'incomplete', 'open brace'],
  ['const o = {\n  a: [1,', 'incomplete', 'open bracket across lines'],
  ['f(1, (2', 'incomplete', 'open parentheses'],
  ['`template', 'incomplete', 'template literal open'],
  ['x = `a ${b', 'incomplete', "template literal's ${ open"],
  ['`a ${ {x: 1}', 'incomplete', 'object inside an open ${'],
  ['x = `one\n${[1, 2].map((n) => {', 'incomplete', 'nested in a template'],
  ['/* a comment', 'incomplete', 'block comment open'],
  ["'continued \\", 'incomplete', 'string continued with a backslash'],
  // Code cut short.
  ['1 +', 'incomplete', 'trailing binary operator'],
  ['n -', 'incomplete', 'trailing minus'],
  ['a &&', 'incomplete', 'trailing logical operator'],
  ['x = a ??', 'incomplete', 'trailing nullish operator'],
  ['x =', 'incomplete', 'trailing assignment'],
  ['total +=', 'incomplete', 'trailing compound assignment'],
  ['a >=', 'incomplete', 'trailing comparison'],
  ['user.', 'incomplete', 'trailing member access'],
  ['user?.', 'incomplete', 'trailing optional chaining'],
  ['x ?', 'incomplete', 'conditional without branches'],
  ['f(a) +\n  // why\n  2 *', 'incomplete', 'operator before a comment… then another'],
  ['1 + // the rest below', 'incomplete', 'trailing operator then a line comment'],
  ['x =>', 'incomplete', 'arrow without a body'],
  ['if (x)', 'incomplete', 'if header without a body'],
  ['for (let i = 0; i < 3; i++)', 'incomplete', 'for header'],
  ['for await (const x of xs)', 'incomplete', 'for await header'],
  ['while (busy())', 'incomplete', 'while header'],
  ['function f(a: number)', 'incomplete', 'function header'],
  ['if (x) {\n  y()\n} else', 'incomplete', 'else without a body'],
  ['x + typeof', 'incomplete', 'trailing typeof'],
  ['a * new', 'incomplete', 'trailing new'],
  ['const', 'incomplete', 'a declaration keyword alone'],
  ['!', 'incomplete', 'a prefix operator alone'],
  ['total + await', 'incomplete', 'names and operators, but a keyword last (not bare arithmetic)'],
  ['x * 2 + typeof', 'incomplete', 'typeof after arithmetic'],
  ['1 + 41', 'complete', 'bare arithmetic (told without tokenizing)'],
  ['x * 2 +\n  y % 3', 'complete', 'bare arithmetic across lines'],
  // Complete: runs, or the runtime reports the error.
  ['1 + 1', 'complete', 'arithmetic'],
  ['x * 2 + n', 'complete', 'names and operators'],
  ['const x = 20', 'complete', 'declaration'],
  ['function f() {\n  return 1\n}', 'complete', 'closed function'],
  ['`a ${b} c`', 'complete', 'closed template'],
  ['`a ${ {b: 1}.b } c`', 'complete', 'closed template with an object'],
  ['await f()', 'complete', 'call'],
  ['f()', 'complete', 'call without arguments'],
  ['i++', 'complete', 'postfix increment'],
  ['i--;', 'complete', 'postfix decrement and semicolon'],
  ['do { step() } while (more())', 'complete', 'do…while'],
  ['if (x) y()', 'complete', 'if with its body'],
  ['import x from "y"', 'complete', 'import'],
  ['"a { b"', 'complete', 'a bracket inside a string'],
  ['"abc', 'complete', 'unterminated string: the user gets the error'],
  ["'unterminated", 'complete', 'unterminated single-quoted string'],
  ["'escaped \\\\'", 'complete', 'escaped backslash before the quote'],
  ['// a comment with (', 'empty', 'a line comment holds no code'],
  ['/* closed { */ x', 'complete', 'closed block comment'],
  ['x = 1 // note +', 'complete', 'an operator inside a comment'],
  ['x = /[(]/.test(y)', 'complete', 'regex with a bracket'],
  ['a = /[/', 'complete', 'unterminated regex: the user gets the error'],
  ['re = /a+/g', 'complete', 'regex literal with flags'],
  ['a / b / c', 'complete', 'divisions'],
  ['f())', 'complete', 'too many closing: a syntax error the runtime reports'],
  [')', 'complete', 'a stray closing bracket'],
  // TypeScript.
  ['const x: number = 1', 'complete', 'type annotation'],
  ['function f(a: number) {', 'incomplete', 'TypeScript function open'],
  ['function id<T>(x: T): T {', 'incomplete', 'generic function open'],
  ['type Pair = Map<string, number>', 'complete', 'generic type ends with >'],
  ['const m = new Map<string, Array<number>>()', 'complete', 'nested generics'],
  ['let rows: Array<string>', 'complete', 'generic annotation'],
  ['const names = ["a", "b"] as const', 'complete', 'as const'],
  ['el!', 'complete', 'non-null assertion'],
  ['type Pair = Map<string,', 'incomplete', 'generic cut at a comma'],
  // Nothing to run.
  ['', 'empty', 'nothing'],
  ['   ', 'empty', 'blanks'],
  ['// note', 'empty', 'line comment'],
  ['/* a */ // b', 'empty', 'comments only'],
  ['#!/usr/bin/env cortex', 'empty', "a script's hashbang"]
]

describe('inputState', () => {
  it.each(TABLE)('%j is %s (%s)', (source, expected) => {
    expect(inputState(source)).toBe(expected)
  })
})
