import { expect, type Locator, type Page } from '@playwright/test'
import { testWithOotd } from '../support/web-host'
import { submitLine, terminalLines } from '../support/terminal'

const test = testWithOotd()

/** The inspector's row for a path (names from the root, as the runtime gives them; '#runs' for the graph runs). */
function row(page: Page, ...path: string[]): Locator {
  return page.getByTestId('inspector').locator(`[data-testid="inspector-row"][data-path='${JSON.stringify(path)}']`)
}

/** Opens a row with its caret, as a user would. */
async function expand(page: Page, ...path: string[]): Promise<void> {
  await row(page, ...path)
    .locator('.caret')
    .click()
  await expect(row(page, ...path)).toHaveAttribute('aria-expanded', 'true')
}

test('a binding shows in the inspector, opens lazily, stays open as it changes, and a click types its path', async ({ page, host }) => {
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(String(error)))
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, "var closet = { wardrobe: { tops: ['linen shirt', 'grey tee', 'black turtleneck'] }, 'rain gear': 'umbrella' }")

  await expect(row(page, 'closet').locator('.type')).toHaveText('Object')
  await expect(row(page, 'closet').locator('.preview')).toContainText('wardrobe')
  // Nothing below is asked for until it is opened.
  await expect(row(page, 'closet', 'wardrobe')).toHaveCount(0)
  await expand(page, 'closet')
  await expand(page, 'closet', 'wardrobe')
  await expand(page, 'closet', 'wardrobe', 'tops')
  await expect(row(page, 'closet', 'wardrobe', 'tops', '2').locator('.preview')).toHaveText("'black turtleneck'")

  await row(page, 'closet', 'wardrobe', 'tops', '2').click()
  await expect.poll(() => terminalLines(page)).toContainEqual('› closet.wardrobe.tops[2]')
  // It is a real expression: Enter evaluates it.
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContainEqual("'black turtleneck'")

  // The namespace changes: the rows update in place and what was open stays open.
  await submitLine(page, "closet.wardrobe.tops.push('denim jacket')")
  await expect(row(page, 'closet', 'wardrobe', 'tops', '3').locator('.preview')).toHaveText("'denim jacket'")
  await expect(row(page, 'closet', 'wardrobe', 'tops')).toHaveAttribute('aria-expanded', 'true')
  await expect(row(page, 'closet', 'wardrobe', 'tops', 'length').locator('.preview')).toHaveText('4')

  // A name that is not an identifier goes in brackets.
  await row(page, 'closet', 'rain gear').click()
  await expect.poll(() => terminalLines(page)).toContainEqual("› closet['rain gear']")
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContainEqual("'umbrella'")

  // The keyboard: Left steps out to the parent and closes it, Right opens it, Enter inserts its path.
  await row(page, 'closet', 'wardrobe', 'tops', '3').click()
  await page.keyboard.press('Enter') // evaluates what the click typed, clearing the prompt
  await page.getByRole('tree', { name: 'Namespace' }).focus()
  await page.keyboard.press('ArrowLeft')
  await expect(row(page, 'closet', 'wardrobe', 'tops')).toHaveAttribute('aria-selected', 'true')
  await page.keyboard.press('ArrowLeft')
  await expect(row(page, 'closet', 'wardrobe', 'tops')).toHaveAttribute('aria-expanded', 'false')
  await expect(row(page, 'closet', 'wardrobe', 'tops', '0')).toHaveCount(0)
  await page.keyboard.press('ArrowRight')
  await expect(row(page, 'closet', 'wardrobe', 'tops', '0')).toBeVisible()
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContainEqual('› closet.wardrobe.tops')
  expect(pageErrors).toEqual([])
})

test("a graph run shows in the inspector, and its node instances' fields say where they came from", async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await submitLine(page, "var outfit = ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })")
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('[graph g1] gate g1.0'))
  // Waiting at its gate: the run is listed with its state and where it waits.
  await expect(page.getByTestId('inspector-section').filter({ hasText: 'Graph runs' }).locator('.count')).toHaveText('1')
  await expect(row(page, '#runs', 'g1').locator('.type')).toHaveText('waiting')
  await expect(row(page, '#runs', 'g1').locator('.preview')).toHaveText('IsTheUserGettingDressed · waiting · gate at IsTheUserGettingDressed')

  await submitLine(page, '@g1.0 ugh i just got up')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/\[graph g1\] IsTheUserGettingDressed done in .* → RecommendOOTD/))
  await expect(row(page, '#runs', 'g1').locator('.type')).toHaveText('done')
  await expand(page, '#runs', 'g1')
  await expect(page.getByTestId('inspector').locator(`[data-path^='["#runs","g1",'] .type`)).toHaveText([
    'IsTheUserGettingDressed',
    'AnticipateUsersDay',
    'RecommendOOTD'
  ])

  await expand(page, '#runs', 'g1', '2')
  const field = (name: string) => row(page, '#runs', 'g1', '2', name)
  await expect(field('wardrobe').getByTestId('inspector-origin')).toHaveText('node-dep')
  await expect(field('wardrobe').locator('.type')).toHaveText('GenerateWardrobe')
  for (const name of ['overall_vision', 'top', 'bottom', 'footwear', 'accessories', 'final_response', 'inspo'])
    await expect(field(name).getByTestId('inspector-origin')).toHaveText('LM')
  await expand(page, '#runs', 'g1', '1')
  await expect(row(page, '#runs', 'g1', '1', 'weather').getByTestId('inspector-origin')).toHaveText('dep')
  await expand(page, '#runs', 'g1', '0')
  await expect(row(page, '#runs', 'g1', '0', 'user_message').getByTestId('inspector-origin')).toHaveText('gate')
  await expect(row(page, '#runs', 'g1', '0', 'user_message').locator('.preview')).toHaveText("'ugh i just got up'")

  // A field's path is an expression on the engine's record of the run, and evaluates.
  await field('footwear').click()
  await expect.poll(() => terminalLines(page)).toContainEqual("› engine.run('g1').result.trace[2].footwear")
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/^'.+'$/))
  await field('footwear').scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/inspector.png' })
})
