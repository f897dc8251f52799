import { readFileSync } from 'node:fs'
import { expect, type Page } from '@playwright/test'
import { testWithOotd } from '../support/web-host'
import { submitLine, terminalLines } from '../support/terminal'

const test = testWithOotd()

const rows = (page: Page) => page.getByTestId('timeline-row')

/** Runs the OOTD graph to its end, its gate answered by a hook (no prompt). */
async function runOotd(page: Page): Promise<void> {
  await submitLine(
    page,
    "await ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm(), gate: async () => ({ user_message: 'ugh i just got up' }) })"
  )
  await expect(page.locator('[data-testid="timeline-row"][data-span-name="node RecommendOOTD"]').first()).toBeVisible()
}

test('a graph run grows live in the timeline, and its LM calls read as a conversation', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, "var outfit = ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })")
  // Waiting at its gate: the run and its first step are open (striped, growing).
  await expect(page.locator('[data-testid="timeline-row"][data-span-name="invoke_workflow IsTheUserGettingDressed"][data-open="true"]')).toHaveCount(1)
  await expect(page.locator('[data-testid="timeline-row"][data-span-name="node IsTheUserGettingDressed"][data-open="true"]')).toHaveCount(1)
  await page.screenshot({ path: 'test-results/timeline-live.png' })
  await submitLine(page, '@g1.0 ugh i just got up')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/\[graph g1\] IsTheUserGettingDressed done in/))
  // Done: the whole tree is there, nothing open.
  await expect(page.locator('[data-testid="timeline-row"][data-open="true"]')).toHaveCount(0)
  const names = await rows(page).evaluateAll((elements) => elements.map((e) => e.getAttribute('data-span-name')))
  expect(names).toEqual(expect.arrayContaining(['invoke_workflow IsTheUserGettingDressed', 'node AnticipateUsersDay', 'node RecommendOOTD']))
  // The recording was made with the scripted mock model, so its LM calls are `chat mock`.
  expect(names.filter((n) => n === 'chat mock').length).toBeGreaterThanOrEqual(5)

  // An LM call's detail shows the prompt and the answer as a conversation.
  await page.locator('[data-testid="timeline-row"][data-span-name="chat mock"]').first().click()
  await expect(page.getByTestId('span-detail')).toBeVisible()
  await expect(page.getByTestId('span-turn')).toHaveCount(2)
  await expect(page.getByTestId('span-turn').first()).toContainText('Pick one type: AnticipateUsersDay, No') // bae's choice prompt
  await page.screenshot({ path: 'test-results/timeline-detail.png' })

  // Search, matches only: the LM call that fills the wardrobe, with its ancestors.
  await page.getByTestId('timeline-search').fill('GenerateWardrobe')
  await expect(page.getByTestId('timeline-matches')).not.toHaveText('0 matches')
  await page.getByTestId('timeline-matches-only').check()
  const filtered = await rows(page).evaluateAll((elements) => elements.map((e) => e.getAttribute('data-span-name')))
  expect(filtered.length).toBeLessThan(names.length)
  expect(filtered).toContain('chat mock')
  // The wardrobe is filled while AnticipateUsersDay's step makes RecommendOOTD: that step is its ancestor.
  expect(filtered).toEqual(['repl.input', 'invoke_workflow IsTheUserGettingDressed', 'node AnticipateUsersDay', 'chat mock'])
})

test('collapsing a span hides its children', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await runOotd(page)
  const shown = async () => Number((await page.getByTestId('timeline-count').textContent())!.split(' ')[0])
  // Wait for the run's last spans to arrive: the count holds still for half a second.
  let before = -1
  await expect
    .poll(
      async () => {
        const now = await shown()
        const settled = now === before
        before = now
        return settled
      },
      { intervals: [500] }
    )
    .toBe(true)
  await page.locator('[data-testid="timeline-row"][data-span-name="invoke_workflow IsTheUserGettingDressed"] button.caret').first().click()
  // The run's node steps and LM calls are hidden: at least its 3 steps and 6 calls.
  await expect.poll(shown).toBeLessThanOrEqual(before - 9)
  await page.locator('[data-testid="timeline-row"][data-span-name="invoke_workflow IsTheUserGettingDressed"] button.caret').first().click()
  await expect.poll(shown).toBe(before)
})

test('export the session, then import the file again', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await runOotd(page)
  const download = page.waitForEvent('download')
  await page.getByTestId('timeline-export').click()
  // The same file name as File ▸ Export trace (one export for both).
  expect((await download).suggestedFilename()).toMatch(/^cortex-trace-\d{4}-\d\d-\d\dT\d{6}\.jsonl$/)
  const file = await (await download).path()
  const text = readFileSync(file, 'utf8')
  expect(text.trim().split('\n').length).toBeGreaterThanOrEqual(1)
  expect(JSON.parse(text.split('\n')[0]!)).toHaveProperty('resourceSpans')
  await expect(page.getByTestId('timeline-notice')).toContainText(/exported \d+ spans to cortex-trace-/)

  // Imported again (spans the window already has are merged by their ids).
  await page.getByTestId('timeline-import').setInputFiles({ name: 'session.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(text) })
  await expect(page.getByTestId('timeline-notice')).toContainText(/imported \d+ spans from session\.jsonl \(otlp-jsonl\)/)
  await page.getByTestId('timeline-import').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"nope": 1}') })
  await expect(page.getByTestId('timeline-notice')).toContainText('could not import broken.json: ')
})
