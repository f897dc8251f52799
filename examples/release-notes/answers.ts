/**
 * The model's side of the release-notes recording, WRITTEN BY HAND: no live model was called to
 * make recording.jsonl. Each answer is a plausible output for the prompt it answers (the prompts
 * are in recording.jsonl); `regenerate.ts` plays them through the real `record()` wrapper around a
 * `MockBackend`.
 *
 * The story they tell, with the human requiring "Node 20" and "breaking": the draft writes
 * "Node.js 20" and never says "breaking"; the first revision adds a breaking-change section but keeps
 * "Node.js 20" (a near miss the check does not accept); the second revision says "Node 20".
 */
import type { NodeOf } from 'cortex'
import type { MockScript } from 'cortex'
import type { DraftNotes, ReviseNotes } from './index'

type Draft = Pick<NodeOf<typeof DraftNotes>, 'title' | 'notes'>
type Revision = Pick<NodeOf<typeof ReviseNotes>, 'title' | 'notes'>

/** The release the recording is about. */
export const request = {
  version: '2.4.0',
  changes: [
    'feat(cli): add --watch to rebuild when sources change (#812)',
    'perf(plugins): cache resolved plugins between builds, ~30% faster warm builds (#829)',
    'fix(config): parse config files with CRLF line endings (#834)',
    'chore!: drop Node 16 and 18, engines is now ">=20" (#840)',
    'docs: migration guide from 2.3 (#841)'
  ]
}

const whatsNew = [
  '- **Watch mode:** `quill build --watch` rebuilds whenever a source file changes (#812).',
  '- **Faster warm builds:** resolved plugins are now cached between builds, making warm builds about 30% faster (#829).',
  '- **CRLF config files:** config files with Windows line endings now parse correctly (#834).'
]

export const draft: Draft = {
  title: 'Quill 2.4: watch mode and faster warm builds',
  notes: [
    'Quill 2.4 brings a watch mode, faster warm builds and a fix for Windows-style config files. It also requires Node.js 20 or later.',
    '',
    ...whatsNew,
    '- **Node.js 20+:** support for Node 16 and 18 has been dropped (#840).',
    '- **Docs:** a new guide covers migrating from 2.3 (#841).'
  ].join('\n')
}

export const firstRevision: Revision = {
  title: 'Quill 2.4: watch mode, faster warm builds and a breaking change',
  notes: [
    'Quill 2.4 brings a watch mode, faster warm builds and a fix for Windows-style config files. **This release has a breaking change:** it requires Node.js 20 or later.',
    '',
    '**Breaking change**',
    '',
    '- Support for Node 16 and 18 has been dropped; Quill now requires Node.js 20 or later. Upgrade Node before you upgrade Quill (#840).',
    '',
    "**What's new**",
    '',
    ...whatsNew,
    '- **Docs:** a new guide covers migrating from 2.3 (#841).'
  ].join('\n')
}

export const secondRevision: Revision = {
  title: 'Quill 2.4: watch mode, faster warm builds, Node 20 required',
  notes: [
    'Quill 2.4 brings a watch mode, faster warm builds and a fix for Windows-style config files. **This release has a breaking change:** Quill now requires Node 20 or later.',
    '',
    '**Breaking change**',
    '',
    '- Support for Node 16 and 18 has been dropped: Quill requires Node 20 or later. Upgrade Node before you upgrade Quill (#840).',
    '',
    "**What's new**",
    '',
    ...whatsNew,
    '- **Docs:** a new guide covers migrating from 2.3 (#841).'
  ].join('\n')
}

/** The script a MockBackend answers from (each backend keeps its own place in the list of revisions). */
export const releaseNotesAnswers: MockScript = {
  fill: { DraftNotes: draft, ReviseNotes: [firstRevision, secondRevision] }
}
