import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { startHost, type RunningHost } from '../support/web-host'
import { colourOf, submitLine, terminalLines } from '../support/terminal'

// A graph whose first step takes a minute: a run that is surely going when the runtime is killed.
const SLOW_GRAPH = `import { graph, node, z } from 'cortex'

export const Done = node('Done', { doubled: z.number() })
export const Start = node('Start', { n: z.number() }).to(() => [Done])
Start.run(async (self) => {
  await new Promise((resolve) => setTimeout(resolve, 60_000))
  return Done.make({ doubled: self.n * 2 })
})
export const slow = graph(Start)
`

/** A host in a project folder of its own: its session store holds only this test's sessions. */
async function hostInNewProject(): Promise<{ host: RunningHost; project: string }> {
  const project = mkdtempSync(join(tmpdir(), 'cortex-faults-'))
  const host = await startHost({}, { cwd: project })
  return {
    project,
    host: {
      ...host,
      stop: async () => {
        await host.stop()
        rmSync(project, { recursive: true, force: true })
      }
    }
  }
}

async function open(page: Page, host: RunningHost): Promise<void> {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
}

/** Waits until the REPL pane shows `line` (whole). */
const shows = (page: Page, line: string) => expect.poll(() => terminalLines(page)).toContainEqual(line)

test('the runtime killed with SIGKILL during a graph run: restarted, the store intact, and the lost inputs replayed on request', async ({ page }) => {
  const { host, project } = await hostInNewProject()
  try {
    const graphFile = join(project, 'slow.ts')
    writeFileSync(graphFile, SLOW_GRAPH)
    await open(page, host)
    await submitLine(page, 'const base = 20')
    await submitLine(page, 'function twice(n) { return n * 2 }')
    await submitLine(page, 'nope.nope')
    await submitLine(page, `%load ${graphFile}`)
    await submitLine(page, "const { pid } = await import('node:process'); 'pid ' + pid")
    await expect.poll(async () => (await terminalLines(page)).find((line) => /^'pid \d+'$/.test(line))).toBeTruthy()
    const pid = Number(/\d+/.exec((await terminalLines(page)).find((line) => /^'pid \d+'$/.test(line))!)![0])
    await submitLine(page, 'await slow({ n: 21 })')
    await shows(page, '[graph g1] Start started')

    process.kill(pid, 'SIGKILL') // from outside, as the OOM killer or a user's kill -9 would

    const banner = page.getByTestId('runtime-banner')
    await expect(banner).toContainText('Runtime restarted: namespace lost')
    await expect(banner).toContainText('The runtime exited unexpectedly (signal SIGKILL); its namespace and running tasks were lost.')
    await expect(page.getByTestId('connection')).toHaveText('connected')
    const replay = page.getByTestId('banner-replay')
    await expect(replay).toHaveText('Replay 4 inputs')

    // The namespace is new, and the store kept everything, up to the input that was running.
    await submitLine(page, 'typeof base')
    await shows(page, "'undefined'")
    await submitLine(page, "await store('slow')")
    await expect.poll(async () => (await terminalLines(page)).some((line) => / js\] await slow\(\{ n: 21 \}\)$/.test(line))).toBe(true)
    await page.screenshot({ path: 'test-results/faults-crash-banner.png' })

    await replay.click()
    await expect(replay).toHaveCount(0)
    await shows(page, '[replaying 4 inputs of the lost session; skipped 2:')
    await shows(page, '   nope.nope  (it failed)')
    await shows(page, '   await slow({ n: 21 })  (still running when the runtime stopped)]')
    await shows(page, '› function twice(n) { return n * 2 }')
    await expect.poll(async () => (await terminalLines(page)).filter((line) => /^'pid \d+'$/.test(line)).length).toBe(2)
    await submitLine(page, 'twice(base)')
    await shows(page, '40')
    await submitLine(page, 'typeof slow')
    await shows(page, "'function'")
    // The replayed inputs are this session's now: a second crash could replay them again.
    await page.screenshot({ path: 'test-results/faults-replayed.png' })
  } finally {
    await host.stop()
  }
})

test('a crash loop stops at the cap (3 restarts in 5 minutes) and the window asks, with a Restart button', async ({ page }) => {
  test.setTimeout(90_000)
  const { host } = await hostInNewProject()
  try {
    await open(page, host)
    const banner = page.getByTestId('runtime-banner')
    for (let crash = 1; crash <= 4; crash++) {
      await submitLine(page, "const { kill, pid } = await import('node:process'); kill(pid, 'SIGKILL')")
      if (crash <= 3) {
        await expect(banner).toContainText(`Restarted it (${crash} of 3 automatic restarts allowed in 5 minutes).`)
        await expect(page.getByTestId('connection')).toHaveText('connected')
      }
    }
    await expect(banner).toContainText('Runtime crashed')
    await expect(banner).toContainText('It crashed 4 times within 5 minutes, so it was not restarted automatically.')
    await page.screenshot({ path: 'test-results/faults-crash-loop.png' })
    await banner.getByTestId('banner-restart').click()
    await expect(banner).toContainText('The runtime was restarted on request; its namespace is new.')
    await expect(page.getByTestId('connection')).toHaveText('connected')
    await submitLine(page, '6 * 7')
    await shows(page, '42')
  } finally {
    await host.stop()
  }
})

test('a reload of the page restores the REPL pane, colours too, while a background run keeps printing into it', async ({ page }) => {
  const { host } = await hostInNewProject()
  try {
    await open(page, host)
    await submitLine(page, "const marker = 'from before the reload'; marker")
    await shows(page, "'from before the reload'")
    const colour = await colourOf(page, "'from before the reload'")
    await submitLine(page, "void (async () => { for (let i = 0; i < 300; i++) { console.log('tick ' + i); await new Promise((r) => setTimeout(r, 200)) } })()")
    await shows(page, 'tick 5')
    const ticks = (lines: string[]) => lines.filter((line) => /^tick \d+$/.test(line)).map((line) => Number(line.slice(5)))
    const before = Math.max(...ticks(await terminalLines(page)))

    await page.reload()
    await expect(page.getByTestId('connection')).toHaveText('connected')
    const note = '[the output above is from before the page was reloaded; output of the meantime is not shown]'
    await shows(page, note)
    const restored = await terminalLines(page)
    const noteAt = restored.indexOf(note)
    expect(restored.slice(0, noteAt)).toContain("› const marker = 'from before the reload'; marker")
    expect(restored.slice(0, noteAt)).toContain("'from before the reload'")
    expect(ticks(restored.slice(0, noteAt))).toContain(before)
    expect(await colourOf(page, "'from before the reload'")).toEqual(colour)
    // The run went on in the runtime: its new lines arrive below the note.
    await expect.poll(async () => Math.max(...ticks((await terminalLines(page)).slice(noteAt + 1)))).toBeGreaterThan(before + 3)
    await page.screenshot({ path: 'test-results/faults-reload-restored.png' })
  } finally {
    await host.stop()
  }
})
