import { expect, type Locator, type Page } from '@playwright/test'
import { testWithOotd } from '../support/web-host'
import { submitLine, terminalLines } from '../support/terminal'

const test = testWithOotd()

const view = (page: Page) => page.getByTestId('graph-view')
const node = (page: Page, name: string): Locator => view(page).locator(`[data-testid="graph-node"][data-node="${name}"]`)
const attributes = (locator: Locator, ...names: string[]) =>
  locator.evaluateAll((elements, keys) => elements.map((e) => keys.map((k) => e.getAttribute(k)).join('→')), names)

test('the graph view draws OOTD and highlights the node a live run is on: its gate while it waits, nothing once it ends', async ({ page, host }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(String(error)))
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await page.getByTestId('tab-graph').click()

  await expect(view(page).getByTestId('graph-node')).toHaveCount(4)
  expect(await attributes(view(page).getByTestId('graph-node'), 'data-node')).toEqual(['IsTheUserGettingDressed', 'AnticipateUsersDay', 'No', 'RecommendOOTD'])
  expect(await attributes(view(page).getByTestId('graph-edge'), 'data-from', 'data-to')).toEqual([
    'IsTheUserGettingDressed→AnticipateUsersDay',
    'IsTheUserGettingDressed→No',
    'AnticipateUsersDay→RecommendOOTD'
  ])
  // Field badges say where each field comes from.
  expect(await attributes(node(page, 'IsTheUserGettingDressed').getByTestId('graph-field'), 'data-origin')).toEqual(['LM', 'gate'])
  expect(await attributes(node(page, 'AnticipateUsersDay').getByTestId('graph-field'), 'data-origin')).toEqual(['dep', 'dep', 'dep', 'LM'])
  expect(await attributes(node(page, 'RecommendOOTD').getByTestId('graph-field'), 'data-origin')).toEqual([
    'node-dep',
    'LM',
    'LM',
    'LM',
    'LM',
    'LM',
    'LM',
    'LM'
  ])
  await expect(view(page).locator('[data-runs]')).toHaveCount(0)
  await page.screenshot({ path: 'test-results/graph-view-idle.png' })

  await submitLine(page, "var outfit = ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })")
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('[graph g1] gate g1.0'))
  // Waiting at the start node's gate: that node is highlighted, badged with the run, marked as at a gate.
  await expect(node(page, 'IsTheUserGettingDressed')).toHaveAttribute('data-runs', 'g1:gate')
  await expect(node(page, 'IsTheUserGettingDressed').getByTestId('graph-run-badge')).toHaveText('g1 · gate')
  await expect(view(page).locator('[data-runs]')).toHaveCount(1)
  await expect(view(page).getByTestId('graph-live')).toHaveText('1 live')
  await page.screenshot({ path: 'test-results/graph-view-waiting.png' })

  await submitLine(page, '@g1.0 ugh i just got up')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/\[graph g1\] IsTheUserGettingDressed done in .* → RecommendOOTD/))
  await expect(view(page).locator('[data-runs]')).toHaveCount(0)
  await expect(view(page).getByTestId('graph-live')).toHaveCount(0)
  await page.screenshot({ path: 'test-results/graph-view-done.png' })

  // A click on a node types its name at the prompt.
  await node(page, 'RecommendOOTD').click()
  await expect.poll(() => terminalLines(page)).toContainEqual('› RecommendOOTD')
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContainEqual('[node RecommendOOTD]')

  // The tab is remembered, like the pane sizes.
  await page.reload()
  await expect(page.getByTestId('tab-graph')).toHaveAttribute('aria-selected', 'true')
  await expect(view(page).getByTestId('graph-node')).toHaveCount(4)
  expect(pageErrors).toEqual([])
})

test('with two graphs loaded a picker chooses; the release-notes loop stays readable', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await page.getByTestId('tab-graph').click()
  await submitLine(page, '%load examples/release-notes/index.ts')
  await expect(view(page).getByTestId('graph-picker')).toBeVisible()
  await view(page).getByTestId('graph-picker').selectOption('releaseNotes')
  await expect(view(page).getByTestId('graph-node')).toHaveCount(6)
  // The revise loop comes back to its own node: a curved back edge.
  await expect(view(page).locator('[data-testid="graph-edge"].back')).toHaveCount(1)
  await expect(view(page).locator('[data-testid="graph-edge"].back')).toHaveAttribute('data-from', 'ReviseNotes')
  // Every box is fully visible and none overlaps another.
  const boxes = await view(page)
    .getByTestId('graph-node')
    .evaluateAll((elements) => elements.map((e) => (e.querySelector('rect.box') as SVGRectElement).getBoundingClientRect().toJSON() as DOMRect))
  const svg = (await view(page).locator('svg').boundingBox())!
  for (const [i, a] of boxes.entries()) {
    expect(a.left).toBeGreaterThanOrEqual(svg.x - 1)
    expect(a.right).toBeLessThanOrEqual(svg.x + svg.width + 1)
    for (const b of boxes.slice(i + 1)) expect(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top).toBe(true)
  }
  await page.screenshot({ path: 'test-results/graph-view-release-notes.png' })
})
