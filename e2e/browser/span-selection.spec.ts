import { expect, type Locator, type Page } from '@playwright/test'
import { testWithOotd } from '../support/web-host'
import { submitLine, terminalLines } from '../support/terminal'

const test = testWithOotd()

/** The inspector's row for a path of names from the root. */
function row(page: Page, ...path: string[]): Locator {
  return page.getByTestId('inspector').locator(`[data-testid="inspector-row"][data-path='${JSON.stringify(path)}']`)
}

test('selecting a node span in the timeline binds $node to its instance and $span to the span; the inspector shows both', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, "var outfit = ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })")
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('[graph g1] gate g1.0'))
  await submitLine(page, '@g1.0 ugh i just got up')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/\[graph g1\] IsTheUserGettingDressed done in .* → RecommendOOTD/))

  await page.locator('[data-testid="timeline-row"][data-span-name="node RecommendOOTD"]').click()
  await expect.poll(() => terminalLines(page)).toContainEqual('[debug] $span = node RecommendOOTD · $node = RecommendOOTD (g1 step 3)')
  await expect(row(page, '$node').locator('.type')).toHaveText('RecommendOOTD')
  await expect(row(page, '$span').locator('.preview')).toContainText('node RecommendOOTD')

  await submitLine(page, '$node.top')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/^'.+'$/))
  // The very instance of the run's result, not a copy.
  await submitLine(page, '$node === (await outfit).result')
  await expect.poll(() => terminalLines(page)).toContainEqual('true')
  await row(page, '$node').scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/span-selection.png' })

  // The run span: $node is the run's last node; an LM call below a node: that node.
  await page.locator('[data-testid="timeline-row"][data-span-name="invoke_workflow IsTheUserGettingDressed"]').click()
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining("$node = RecommendOOTD (g1's last node, step 3)"))
})
