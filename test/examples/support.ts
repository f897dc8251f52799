import { parseRecording, type RecordedCall } from '../../src/runtime/lm'

/** Shared by the example tests: reading recorded prompts, and explaining a stale recording. */

export interface PromptSections {
  /** The section heads in order, then the instruction: e.g. ['Input data:', 'Context:', 'RecommendOOTD']. */
  readonly order: string[]
  /** The "Input data:" JSON (the plain fields of the node we come from), parsed. */
  readonly input?: unknown
  /** The "Context:" JSON (the target's deps, recalls and gates), parsed. */
  readonly context?: unknown
  /** The last part: the target node's name. */
  readonly instruction: string
}

/** Splits a fill prompt into bae's parts. */
export function promptSections(prompt: string): PromptSections {
  const parts = prompt.split('\n\n') // indented JSON never holds a blank line
  const order: string[] = []
  let input: unknown
  let context: unknown
  for (const part of parts.slice(0, -1)) {
    const [head, ...json] = part.split('\n')
    order.push(head!)
    if (head === 'Input data:') input = JSON.parse(json.join('\n'))
    else if (head === 'Context:') context = JSON.parse(json.join('\n'))
  }
  const instruction = parts.at(-1)!
  return { order: [...order, instruction], input, context, instruction }
}

/**
 * Why a checked-in recording differs from a fresh one, call by call ("fill Draft #1: the prompt
 * changed"), or undefined when they are byte-identical. A readable summary instead of a diff of
 * long JSON lines.
 */
export function recordingDrift(onDisk: string, fresh: string): string | undefined {
  if (onDisk === fresh) return undefined
  const label = (calls: RecordedCall[], i: number): string => {
    const call = calls[i]!
    const nth = calls.slice(0, i + 1).filter((c) => c.kind === call.kind && c.node === call.node).length
    return `${call.kind} ${call.node} #${nth}`
  }
  let old: RecordedCall[]
  try {
    old = parseRecording(onDisk)
  } catch (error) {
    return `the checked-in recording cannot be read (${(error as Error).message})`
  }
  const now = parseRecording(fresh)
  const problems: string[] = []
  for (let i = 0; i < Math.max(old.length, now.length); i++) {
    const [was, is] = [old[i], now[i]]
    if (!was) problems.push(`${label(now, i)}: new call`)
    else if (!is) problems.push(`${label(old, i)}: no longer made`)
    else if (was.kind !== is.kind || was.node !== is.node) problems.push(`call ${i + 1}: was ${label(old, i)}, is now ${label(now, i)}`)
    else {
      const changed = (['prompt', 'key', 'output', 'model', 'usage'] as const).filter((k) => JSON.stringify(was[k]) !== JSON.stringify(is[k]))
      if (changed.length)
        problems.push(`${label(now, i)}: ${changed.join(', ')} changed${changed.includes('key') && !changed.includes('prompt') ? ' (the schema)' : ''}`)
    }
  }
  return problems.length ? problems.join('; ') : 'the text differs (formatting only)'
}
