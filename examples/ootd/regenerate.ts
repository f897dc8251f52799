/**
 * Makes recording.jsonl: runs the OOTD graph with the hand-written answers of answers.ts, through
 * the real `record()` wrapper around a `MockBackend`, so each line holds the exact prompt the graph
 * sends today and its key. No live model is involved (see answers.ts).
 *
 * test/examples/ootd.test.ts checks the file is up to date, and rewrites it when run with
 * CORTEX_REGENERATE=1 (see README.md).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLm, MockBackend, record } from 'cortex'
import { ootdAnswers } from './answers'
import { ootd } from './index'

export const RECORDING = fileURLToPath(new URL('./recording.jsonl', import.meta.url))

/** The run the recording is of (bae's `__main__`). */
export const OOTD_INPUTS = { name: 'Dzara', user_message: 'ugh i just got up' }

/** Records a run with the hand-written answers into `path` (replacing it): the JSONL text written. */
export async function recordOotd(path: string): Promise<string> {
  await rm(path, { force: true }) // record() appends
  await ootd(OOTD_INPUTS, { lm: createLm(record(new MockBackend(ootdAnswers), path)) })
  return readFile(path, 'utf8')
}

/** What recording.jsonl should hold now: a fresh recording, made in a temporary folder. */
export async function freshRecording(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cortex-ootd-'))
  try {
    return await recordOotd(join(dir, 'recording.jsonl'))
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
