import { describe, expect, it } from 'vitest'
import { stripAnsi } from './ansi'
import { PromptBlock } from './prompt-block'
import { drawPromptView } from './prompt-view'

describe('drawPromptView', () => {
  it('highlights JS input, and only JS input', () => {
    const js = drawPromptView(new PromptBlock(), { mode: 'js', busy: false, line: 'let a = 1', position: 9 }, 80)
    expect(js).toContain('\x1b[35mlet\x1b[0m')
    const bash = drawPromptView(new PromptBlock(), { mode: 'bash', busy: false, line: 'let a = 1', position: 9 }, 80)
    expect(bash).not.toContain('\x1b[35mlet')
  })

  it('puts continuation prompts under the mode’s prompt, right-aligned', () => {
    const nl = stripAnsi(drawPromptView(new PromptBlock(), { mode: 'nl', busy: false, line: 'one\ntwo', position: 0 }, 80))
    expect(nl).toContain('ai› one\r\n  … two')
  })

  it('shows a reverse search as readline does, and says when it failed', () => {
    const search = { query: 'tot', failed: false }
    const found = stripAnsi(drawPromptView(new PromptBlock(), { mode: 'js', busy: false, line: 'print(total)', position: 6, search }, 80))
    expect(found).toContain("(reverse-i-search)'tot': print(total)")
    const failed = stripAnsi(drawPromptView(new PromptBlock(), { mode: 'js', busy: false, line: '', position: 0, search: { query: 'zz', failed: true } }, 80))
    expect(failed).toContain("(failed reverse-i-search)'zz': ")
  })
})
