import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { draft, firstRevision, request, secondRevision } from '../../examples/release-notes/answers'
import { AskToPublish, DraftNotes, MAX_NOTES_LENGTH, problemsWith, Published, releaseNotes, ReviseNotes, Shelved } from '../../examples/release-notes'
import { freshRecording, RECORDING, regenerateRecording, SCENARIOS, scriptedGate } from '../../examples/release-notes/regenerate'
import { GraphError, nodeOf, type NodeInstance } from '../../src/runtime/graph'
import { createLm, MockBackend, parseRecording, ReplayBackend } from '../../src/runtime/lm'
import { promptSections, recordingDrift } from './support'

const names = (trace: readonly NodeInstance[]) => trace.map((n) => nodeOf(n)!.name)
const replay = () => createLm(ReplayBackend.fromFile(RECORDING))
const asMarkdown = (version: { title: string; notes: string }) => `# ${version.title}\n\n${version.notes}\n`

describe('the release-notes example', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cortex-release-notes-test-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('revises until the notes mention what the human required, then publishes: the effect writes the file', async () => {
    const asked: string[] = []
    const path = join(dir, 'notes', 'RELEASE-2.4.0.md')
    const gate = scriptedGate({ ReleaseRequest: { must_mention: SCENARIOS.requirements }, AskToPublish: { decision: 'publish', path } }, asked)
    const result = await releaseNotes(request, { lm: replay(), gate })

    expect(names(result.trace)).toEqual(['ReleaseRequest', 'DraftNotes', 'ReviseNotes', 'ReviseNotes', 'AskToPublish', 'Published'])
    expect(asked).toEqual(['ReleaseRequest: must_mention', 'AskToPublish: decision, path'])
    // Each pass of the loop carries what the check found in the version before it.
    expect(result.find(DraftNotes)).toEqual({ must_mention: ['Node 20', 'breaking'], ...draft })
    expect(result.findAll(ReviseNotes).map(({ problems, title, notes }) => ({ problems, title, notes }))).toEqual([
      { problems: ['does not mention "Node 20"', 'does not mention "breaking"'], ...firstRevision },
      { problems: ['does not mention "Node 20"'], ...secondRevision }
    ])
    expect(result.find(AskToPublish)).toEqual({ ...secondRevision, decision: 'publish', path })

    const published = result.find(Published)!
    expect(published).toEqual({ path, markdown: asMarkdown(secondRevision) })
    expect(await readFile(path, 'utf8')).toBe(asMarkdown(secondRevision))
    expect(await readdir(dir)).toEqual(['notes'])
  })

  it('goes straight to the human when nothing is required: no revision', async () => {
    const asked: string[] = []
    const path = join(dir, 'RELEASE_NOTES.md')
    const gate = scriptedGate({ ReleaseRequest: { must_mention: SCENARIOS.noRequirements }, AskToPublish: { decision: 'publish', path } }, asked)
    const result = await releaseNotes(request, { lm: replay(), gate })
    expect(names(result.trace)).toEqual(['ReleaseRequest', 'DraftNotes', 'AskToPublish', 'Published'])
    expect(asked).toEqual(['ReleaseRequest: must_mention', 'AskToPublish: decision, path'])
    expect(await readFile(path, 'utf8')).toBe(asMarkdown(draft))
  })

  it('shelves when the human says so: the effect on the other edge does not fire, nothing is written', async () => {
    const gate = scriptedGate({ ReleaseRequest: { must_mention: SCENARIOS.requirements }, AskToPublish: { decision: 'shelve' } })
    const result = await releaseNotes(request, { lm: replay(), gate })
    expect(names(result.trace)).toEqual(['ReleaseRequest', 'DraftNotes', 'ReviseNotes', 'ReviseNotes', 'AskToPublish', 'Shelved'])
    expect(result.find(Shelved)).toEqual(secondRevision) // the latest notes, recalled
    expect(result.find(AskToPublish)!.path).toBe('RELEASE_NOTES.md') // the gate's default, since the answer left it out
    expect(result.find(Published)).toBeUndefined()
    expect(await readdir(dir)).toEqual([])
  })

  it('never publishes without an answer: with no gate hook nothing is required and the notes are shelved', async () => {
    const result = await releaseNotes(request, { lm: replay() })
    expect(names(result.trace)).toEqual(['ReleaseRequest', 'DraftNotes', 'AskToPublish', 'Shelved'])
    expect(result.find(AskToPublish)!.decision).toBeUndefined()
  })

  it('stops a loop that never satisfies the check at maxIterations, before anything is published', async () => {
    const asked: string[] = []
    const path = join(dir, 'RELEASE_NOTES.md')
    const gate = scriptedGate({ ReleaseRequest: { must_mention: SCENARIOS.requirements }, AskToPublish: { decision: 'publish', path } }, asked)
    // A model that keeps writing "Node.js 20", never "Node 20".
    const stubborn = new MockBackend({ fill: { DraftNotes: draft, ReviseNotes: firstRevision } })
    const error = await releaseNotes(request, { lm: createLm(stubborn), gate, maxIterations: 6 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GraphError)
    expect((error as GraphError).message).toContain('the run exceeded 6 steps (maxIterations)')
    expect(names((error as GraphError).trace)).toEqual(['ReleaseRequest', 'DraftNotes', 'ReviseNotes', 'ReviseNotes', 'ReviseNotes', 'ReviseNotes'])
    // The limit stops the run before the 7th node is produced: no LM call is wasted on it.
    expect(stubborn.requests.map((r) => r.node)).toEqual(['DraftNotes', 'ReviseNotes', 'ReviseNotes', 'ReviseNotes', 'ReviseNotes'])
    expect(asked).toEqual(['ReleaseRequest: must_mention']) // never reached the human's final say
    expect(await readdir(dir)).toEqual([])

    // The default limit (10 steps) stops it too.
    const again = await releaseNotes(request, { lm: createLm(new MockBackend({ fill: { DraftNotes: draft, ReviseNotes: firstRevision } })), gate }).catch(
      (e: unknown) => e
    )
    expect((again as GraphError).trace).toHaveLength(10)
  })

  it('fails the run, naming the edge, when the effect fails', async () => {
    const gate = scriptedGate({ ReleaseRequest: { must_mention: [] }, AskToPublish: { decision: 'publish', path: dir } }) // a folder, not a file
    const error = await releaseNotes(request, { lm: replay(), gate }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GraphError)
    expect((error as Error).message).toMatch(/^the effect on AskToPublish → Published failed: .*EISDIR/)
  })

  it('checks for each required phrase in any case and spacing, and for length', () => {
    expect(problemsWith({ title: 'Quill 2.4', notes: 'Requires NODE\n20. Breaking!' }, ['Node 20', 'breaking'])).toEqual([])
    expect(problemsWith({ title: 'Quill 2.4', notes: 'Requires Node.js 20.' }, ['node 20', 'Quill'])).toEqual(['does not mention "node 20"'])
    expect(problemsWith({ title: 't', notes: 'x'.repeat(MAX_NOTES_LENGTH + 1) }, [])).toEqual([
      `too long: ${MAX_NOTES_LENGTH + 1} characters, at most ${MAX_NOTES_LENGTH}`
    ])
  })

  it('keeps its recording up to date with the prompts (CORTEX_REGENERATE=1 rewrites it)', async () => {
    if (process.env['CORTEX_REGENERATE'] === '1') await regenerateRecording()
    const fresh = await freshRecording()
    const onDisk = await readFile(RECORDING, 'utf8')
    const drift = recordingDrift(onDisk, fresh)
    if (drift)
      expect.fail(
        `examples/release-notes/recording.jsonl is out of date (${drift}). Regenerate it: ` +
          'CORTEX_REGENERATE=1 CORTEX_SKIP_BUILD=1 npx vitest run test/examples/release-notes.test.ts (see examples/release-notes/README.md)'
      )
    expect(onDisk).toBe(fresh)
  })

  it('records what each call sees: the request and the required phrases, then each version and its problems', async () => {
    const calls = parseRecording(await readFile(RECORDING, 'utf8'), RECORDING)
    expect(calls.map((c) => `${c.kind} ${c.node}`)).toEqual(['fill DraftNotes', 'fill ReviseNotes', 'fill ReviseNotes', 'fill DraftNotes'])
    expect(new Set(calls.map((c) => c.model))).toEqual(new Set(['mock'])) // hand-written answers
    const [first, revision1, revision2, nothingRequired] = calls.map((c) => promptSections(c.prompt))
    const { version, changes } = request

    expect(first).toEqual({
      order: ['Input data:', 'Context:', 'DraftNotes'],
      input: { version, changes }, // the gate field must_mention is not input data...
      context: { must_mention: ['Node 20', 'breaking'] }, // ...it reaches the LM through the dep
      instruction: 'DraftNotes'
    })
    expect(revision1).toEqual({
      order: ['Input data:', 'Context:', 'ReviseNotes'],
      input: draft, // the version being revised (DraftNotes' plain fields)
      context: {
        request: { version, changes },
        must_mention: ['Node 20', 'breaking'],
        problems: ['does not mention "Node 20"', 'does not mention "breaking"']
      },
      instruction: 'ReviseNotes'
    })
    expect(revision2!.input).toEqual({ problems: ['does not mention "Node 20"', 'does not mention "breaking"'], ...firstRevision })
    expect(revision2!.context).toMatchObject({ problems: ['does not mention "Node 20"'] })
    expect(nothingRequired!.context).toEqual({ must_mention: [] })
  })

  it('draws the loop', () => {
    expect(releaseNotes.graph.toMermaid()).toBe(
      [
        'graph TD',
        '  ReleaseRequest --> DraftNotes',
        '  DraftNotes --> ReviseNotes',
        '  DraftNotes --> AskToPublish',
        '  ReviseNotes --> ReviseNotes',
        '  ReviseNotes --> AskToPublish',
        '  AskToPublish --> Published',
        '  AskToPublish --> Shelved',
        '  Published((Published))',
        '  Shelved((Shelved))'
      ].join('\n')
    )
    expect(releaseNotes.graph.inputs).toEqual(['version', 'changes'])
    expect(releaseNotes.graph.validate()).toEqual([])
  })
})
