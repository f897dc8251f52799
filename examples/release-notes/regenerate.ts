/**
 * Makes recording.jsonl: runs the release-notes graph for each scenario below with the
 * hand-written answers of answers.ts, through the real `record()` wrapper around a `MockBackend`.
 * No live model is involved. test/examples/release-notes.test.ts checks the file is up to date and
 * rewrites it when run with CORTEX_REGENERATE=1 (see README.md).
 *
 * The human's final answer (publish or shelve, which file) changes no prompt, so each scenario is
 * recorded once, shelved (nothing is written), and replays for either answer.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { GateHook } from 'cortex'
import { createLm, MockBackend, record } from 'cortex'
import { releaseNotesAnswers, request } from './answers'
import { releaseNotes } from './index'

export const RECORDING = fileURLToPath(new URL('./recording.jsonl', import.meta.url))

/** The phrases the human requires, per recorded scenario: two revisions, or none. */
export const SCENARIOS = {
  requirements: ['Node 20', 'breaking'],
  noRequirements: []
} satisfies Record<string, string[]>

/** A gate hook that answers from a script, by node name (what a person would type in the app). */
export function scriptedGate(answers: Record<string, Record<string, unknown>>, asked: string[] = []): GateHook {
  return async ({ node, fields }) => {
    asked.push(`${node}: ${fields.map((f) => f.name).join(', ')}`)
    const answer = answers[node]
    if (!answer) throw new Error(`no scripted answer for the gate of ${node}`)
    return answer
  }
}

/** Records every scenario into `path` (replacing it); returns the JSONL text written. */
export async function recordReleaseNotes(path: string): Promise<string> {
  await rm(path, { force: true }) // record() appends
  for (const mustMention of Object.values(SCENARIOS)) {
    const gate = scriptedGate({ ReleaseRequest: { must_mention: mustMention }, AskToPublish: { decision: 'shelve' } })
    await releaseNotes(request, { lm: createLm(record(new MockBackend(releaseNotesAnswers), path)), gate })
  }
  return readFile(path, 'utf8')
}

/** What recording.jsonl should hold now: a fresh recording, made in a temporary folder. */
export async function freshRecording(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cortex-release-notes-'))
  try {
    return await recordReleaseNotes(join(dir, 'recording.jsonl'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Rewrites recording.jsonl from the current prompts and the hand-written answers. */
export async function regenerateRecording(path = RECORDING): Promise<string> {
  const text = await freshRecording()
  await writeFile(path, text)
  return text
}
