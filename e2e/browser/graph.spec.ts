import { expect } from '@playwright/test'
import { testWithOotd } from '../support/web-host'
import { submitLine, terminalLines } from '../support/terminal'

const test = testWithOotd()

test('the example graph runs in the window: its gate is answered with @g1.0 and the outfit comes back', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, "var outfit = ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })")
  await expect
    .poll(() => terminalLines(page))
    .toContainEqual(expect.stringContaining("[graph g1] gate g1.0: IsTheUserGettingDressed.user_message — what's the occasion?"))
  // The run waits at its gate: its spans (the run, its first node step) reach the window open.
  await expect(page.getByTestId('traces')).toContainText('2 open spans')
  await submitLine(page, '@g1.0 ugh i just got up')
  await expect
    .poll(() => terminalLines(page))
    .toContainEqual(expect.stringMatching(/\[graph g1\] IsTheUserGettingDressed done in .* → AnticipateUsersDay → RecommendOOTD/))
  await submitLine(page, '(await outfit).find(RecommendOOTD).footwear')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/^'.+'$/))
  // Done: nothing open; the run's spans (run, 3 node steps, 6 LM calls) and the inputs' are all there.
  await expect(page.getByTestId('traces')).toHaveText(/^\d+ spans$/)
  expect(Number((await page.getByTestId('traces').textContent())!.split(' ')[0])).toBeGreaterThanOrEqual(10)
  await page.screenshot({ path: 'test-results/browser-graph.png' })
})
