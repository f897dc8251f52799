import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { render } from './render'

// The options render gives inspect (render.ts): the reference its shortcut for plain values must match.
const reference = (value: unknown, colors: boolean) =>
  inspect(value, { depth: 2, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100, getters: false, showProxy: true, colors })

const values: unknown[] = [
  0,
  -0,
  1,
  -1.5,
  1e21,
  2 ** 53 + 2,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
  123n,
  -(2n ** 70n),
  true,
  false,
  undefined,
  null,
  '',
  'plain',
  'é ü 中文 🎉', // a surrogate pair: inspect's own path
  "it's", // a quote: inspect picks other quotes
  'say "hi"',
  'back\\slash',
  'two\nlines',
  'tab\there',
  '\x7f\x9f',
  '\ud83c', // a lone surrogate
  'x'.repeat(96),
  'x'.repeat(97), // longer than a line: inspect may split it
  `${'x'.repeat(200)}\n${'y'.repeat(200)}`,
  'x'.repeat(4999),
  'x'.repeat(5000),
  'x'.repeat(20_000), // cut at maxStringLength
  Symbol('s'),
  [1, 'a'],
  { a: 1 }
]

describe('render', () => {
  const saved = inspect.styles.number
  afterEach(() => void (inspect.styles.number = saved))

  it('shows every primitive and plain string exactly as util.inspect does, with and without colours', () => {
    for (const colors of [true, false])
      for (const value of values) expect({ value, text: render(value, { colors }) }).toEqual({ value, text: reference(value, colors) })
  })

  it('follows a change to inspect.styles, as inspect does', () => {
    inspect.styles.number = 'red'
    expect(render(42)).toBe(reference(42, true))
    expect(render(42)).toBe('\u001b[31m42\u001b[39m')
  })
})
