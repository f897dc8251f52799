import type { Completions } from '../inspect-contract'
import { style } from './format'

/** What a front end does with completions: the text to insert, and a list to show when there is a choice. */
export interface CompletionOutcome {
  /** Replace [from, to) of the line with this (the longest common prefix of the items). */
  readonly insert: { from: number; to: number; text: string } | undefined
  /** Shown above the prompt when several items remain, like a shell. */
  readonly list: string | undefined
}

function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? ''
  for (const word of words) while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1)
  return prefix
}

/** One item: insert it. Several: insert what they share and list them. None: nothing. */
export function applyCompletions(line: string, completions: Completions): CompletionOutcome {
  const labels = completions.items.map((item) => item.label)
  if (labels.length === 0) return { insert: undefined, list: undefined }
  const typed = line.slice(completions.from, completions.to)
  const shared = labels.length === 1 ? labels[0]! : commonPrefix(labels)
  const insert = shared.length > typed.length ? { from: completions.from, to: completions.to, text: shared } : undefined
  const list = labels.length > 1 ? `${labels.join('  ')}${completions.partial ? style.dim('  …') : ''}` : undefined
  return { insert, list }
}
