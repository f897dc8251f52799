import type { ReplMode } from '../runtime-contract'
import { continuationFor, promptFor, style } from './format'
import { highlightJs } from './highlight'
import type { SearchView } from './line-editor'
import type { PromptBlock } from './prompt-block'

/** What the prompt block shows: the editor's input (or a reverse search's match) in a mode. */
export interface PromptView {
  mode: ReplMode
  /** An evaluation runs: the prompt is dimmed (what is typed now runs after it). */
  busy: boolean
  line: string
  position: number
  search?: SearchView | undefined
}

/** The prompt block drawn for `view` (both front ends): the mode's prompt, continuation prompts, JS highlighted; or readline's search prompt. */
export function drawPromptView(block: PromptBlock, view: PromptView, columns: number): string {
  if (view.search) {
    const label = `(${view.search.failed ? 'failed ' : ''}reverse-i-search)`
    const prompt = `${style.dim(label)}'${view.search.query}': `
    return block.draw(prompt, view.line, view.position, columns, { continuation: continuationFor(prompt) })
  }
  const prompt = promptFor(view.mode, view.busy)
  const painted = view.mode === 'js' ? highlightJs(view.line) : undefined
  return block.draw(prompt, view.line, view.position, columns, { continuation: continuationFor(prompt), painted })
}
