import { parseAnswer } from '../../common/repl/format'
import type { Journal } from '../../common/runtime-contract'
import type { Entry } from './entry'

/** At most this many inputs are offered for replay (the first ones: later inputs depend on earlier ones). */
export const MAX_JOURNAL_INPUTS = 1000

/** Magics whose effect is in the namespace, so replaying them rebuilds it; the others only show or set something. */
const REPLAYED_MAGICS = new Set(['load', 'time'])

/** Why an input of the journal is not replayed, or undefined when it is. */
function skipReason(input: Entry, outcome: boolean | undefined, holdsSecret: boolean): string | undefined {
  if (input.mode !== 'js') return input.mode === 'bash' ? 'a shell command' : 'a question for the assistant'
  if (outcome === undefined) return 'still running when the runtime stopped'
  if (!outcome) return 'it failed'
  if (input.bytes !== undefined) return 'too long: the store kept only part of it'
  const magic = /^\s*%([a-z]+)/.exec(input.text)
  if (magic && !REPLAYED_MAGICS.has(magic[1]!)) return `%${magic[1]} does not build the namespace`
  const answer = parseAnswer(input.text)
  if (answer) return answer.id.startsWith('g') ? 'it answered a gate of a run that is gone' : 'it answered an AI approval that is gone'
  // The store kept it without its secret, or it holds one found since (it never reaches a window): the user types it again.
  if (input.redacted || holdsSecret) return 'it holds a secret, which is not sent to the window'
  return undefined
}

/**
 * What can be replayed of one session (its entries, in order) into a new namespace: its JavaScript
 * inputs that succeeded, in order, and what was skipped and why (failed, still running at the
 * crash, shell commands, magics that only show something…). The texts are as stored, so without
 * secrets (the store scrubs them as it writes): the journal goes to the window.
 */
export function journalOf(sessionId: string, entries: readonly Entry[], redact: (text: string) => string = (text) => text): Journal {
  const outcomes = new Map<number, boolean>()
  for (const entry of entries) if (entry.kind === 'event' && entry.of !== undefined && entry.ok !== undefined) outcomes.set(entry.of, entry.ok)
  const journal: Journal = { sessionId, inputs: [], skipped: [], more: 0 }
  for (const entry of entries) {
    if (entry.kind !== 'input' || entry.text.trim() === '') continue
    // Scrubbed again as it is read, like the history: a secret found after the input was stored.
    const text = redact(entry.text)
    const reason = skipReason(entry, outcomes.get(entry.seq), text !== entry.text)
    if (reason) {
      if (journal.skipped.length < MAX_JOURNAL_INPUTS) journal.skipped.push({ code: text, reason })
    } else if (journal.inputs.length < MAX_JOURNAL_INPUTS) {
      journal.inputs.push(entry.text)
    } else {
      journal.more++
    }
  }
  return journal
}
