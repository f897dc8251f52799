/**
 * Release notes: from a version and its list of changes, the LM drafts release notes; a check
 * sends them back for revision until they mention what the human asked for; then the human
 * decides whether to publish them, and publishing writes the Markdown file.
 *
 *   ReleaseRequest             gate: phrases the notes must mention
 *         │
 *         ▼
 *   DraftNotes ─────────────┐  check (custom logic): problems → ReviseNotes, none → AskToPublish
 *         │ problems        │
 *         ▼                 │
 *   ReviseNotes ◀──┐        │
 *         │  └─────┘ problems (the loop)
 *         ▼                 │
 *   AskToPublish ◀──────────┘  gates: publish or shelve? to which file?
 *         ├── publish ──▶ Published  effect: writes the Markdown file
 *         └── shelve ───▶ Shelved
 *
 * What it shows: a loop (ReviseNotes → ReviseNotes), custom logic (the check, the publish decision),
 * two gates (human input), an effect that fires only on the edge taken, a dep that reads a gate
 * answer, and recalls by schema (the latest notes, whichever node wrote them).
 *
 * Why the human is asked up front rather than after each draft: a gate is asked once per node per
 * run (as in bae), so a gate inside the loop would be asked on the first pass only and its answer
 * reused on every later pass. The loop is therefore driven by the human's requirements, given
 * once, and by a deterministic check; the human's final say is a gate the run reaches once.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { z } from 'zod'
import { dep, effect, gate, graph, node, recall, type DepContext, type NodeOf } from 'cortex'

/** Longest notes the check accepts (characters). */
export const MAX_NOTES_LENGTH = 1500

// Declared once and shared by DraftNotes and ReviseNotes, so `recall(Title)` and `recall(Notes)` find
// the latest version, whichever of the two nodes wrote it.
const Title = z.string().describe('a headline: the product, the version and the main change, e.g. "Quill 2.4: watch mode"')
const Notes = z
  .string()
  .describe(`the release notes in Markdown, without a top heading: a short summary paragraph, then bullet points; at most ${MAX_NOTES_LENGTH} characters`)

export const ReleaseRequest = node('ReleaseRequest', {
  version: z.string().describe('the version being released, e.g. 2.4.0'),
  changes: z.array(z.string()).describe('what changed, one item per change, as developers wrote it (commit subjects, pull request titles)'),
  must_mention: gate(z.array(z.string()).default([]), 'anything the notes must mention? (phrases, one per item; none is fine)')
}).to(() => DraftNotes)

/** The human's required phrases, from the start node's gate, as a dep: the LM sees them as context. */
const mustMention = dep(z.array(z.string()), { request: recall(ReleaseRequest) }, function mustMention({ request }) {
  return request.must_mention
})

/** What is wrong with a version of the notes: each required phrase missing (any case), and length. Empty when they pass. */
export function problemsWith(version: { title: string; notes: string }, required: readonly string[]): string[] {
  const text = `${version.title}\n${version.notes}`.replace(/\s+/g, ' ').toLowerCase()
  const problems = required.filter((phrase) => !text.includes(phrase.replace(/\s+/g, ' ').trim().toLowerCase())).map((phrase) => `does not mention "${phrase}"`)
  if (version.notes.length > MAX_NOTES_LENGTH) problems.push(`too long: ${version.notes.length} characters, at most ${MAX_NOTES_LENGTH}`)
  return problems
}

/** The check after each version: back for revision with the problems, or on to the human. */
function check(self: { title: string; notes: string; must_mention: string[] }) {
  const problems = problemsWith(self, self.must_mention)
  // ReviseNotes made with only its problems: the LM writes the rest (title, notes).
  return problems.length ? ReviseNotes.make({ problems }) : AskToPublish.make()
}

export const DraftNotes = node('DraftNotes', {
  must_mention: mustMention,
  title: Title,
  notes: Notes
}).to(() => [ReviseNotes, AskToPublish])

export const ReviseNotes = node('ReviseNotes', {
  request: recall(ReleaseRequest),
  must_mention: mustMention,
  problems: z.array(z.string()).describe('what the previous version got wrong (set by the check, not the LM)'),
  title: Title,
  notes: Notes
}).to(() => [ReviseNotes, AskToPublish])

export const Published = node('Published', {
  /** Absolute path of the file written. */
  path: z.string(),
  markdown: z.string()
})

export const Shelved = node('Shelved', {
  title: recall(Title),
  notes: recall(Notes)
})

/** The effect on AskToPublish → Published: writes the Markdown file (creating its folder). It runs only when that edge is taken. */
export async function writeNotes(published: NodeOf<typeof Published>, { signal }: DepContext): Promise<void> {
  await mkdir(dirname(published.path), { recursive: true })
  await writeFile(published.path, published.markdown, { signal })
}

export const AskToPublish = node('AskToPublish', {
  title: recall(Title),
  notes: recall(Notes),
  decision: gate(z.enum(['publish', 'shelve']), 'publish these release notes? (publish or shelve)'),
  path: gate(z.string().default('RELEASE_NOTES.md'), 'publish to which file? (relative to the working directory)')
})
  .to(() => [effect(Published, writeNotes), Shelved])
  .run((self) =>
    // Without a gate hook (a plain library run) nobody answered: the notes are shelved, never published.
    self.decision === 'publish' ? Published.make({ path: resolve(self.path), markdown: `# ${self.title}\n\n${self.notes.trim()}\n` }) : Shelved.make()
  )

// The check is attached after the definitions: it makes ReviseNotes, and TypeScript cannot type a
// constant whose initializer refers to itself through a callback's result (see docs/graph.md).
DraftNotes.run(check)
ReviseNotes.run(check)

/** `await releaseNotes({ version, changes }, { lm, gate, maxIterations })`: each node is a step; the default 10 allows 6 revisions. */
export const releaseNotes = graph(ReleaseRequest)
