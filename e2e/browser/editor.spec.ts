import { expect, type Page } from '@playwright/test'
import { startHost, test } from '../support/web-host'
import { colourOf, submitLine, terminalLines } from '../support/terminal'

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await ready(page)
}

async function ready(page: Page): Promise<void> {
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await page.locator('.xterm').click()
}

/** The prompt block: the last lines of the pane, from the last prompt line on. */
async function promptLines(page: Page): Promise<string[]> {
  const lines = await terminalLines(page)
  return lines.slice(-3)
}

test('Shift+Enter adds lines; Enter runs the whole input, which shows as typed and defines what it says', async ({ page, host }) => {
  await open(page, host.url)
  await page.keyboard.type('function twiceOf(n) {')
  await page.keyboard.press('Shift+Enter')
  await page.keyboard.type('  const doubled = n * 2')
  await page.keyboard.press('Shift+Enter')
  await page.keyboard.type('  return doubled')
  await page.keyboard.press('Shift+Enter')
  await page.keyboard.type('}')
  await expect.poll(() => promptLines(page)).toEqual(['…   const doubled = n * 2', '…   return doubled', '… }'])
  await page.screenshot({ path: 'test-results/editor-multiline.png' })
  await page.keyboard.press('Enter')
  await submitLine(page, 'twiceOf(21)')
  await expect.poll(() => terminalLines(page)).toContain('42')
  const lines = await terminalLines(page)
  const start = lines.indexOf('› function twiceOf(n) {')
  expect(lines.slice(start, start + 4)).toEqual(['› function twiceOf(n) {', '…   const doubled = n * 2', '…   return doubled', '… }'])
})

test('Enter on an input that leaves a bracket open continues it on the next line instead of running it', async ({ page, host }) => {
  await open(page, host.url)
  await page.keyboard.type('const pairOfNumbers = [40,')
  await page.keyboard.press('Enter')
  await page.keyboard.type('2]')
  await expect.poll(() => promptLines(page)).toContainEqual('… 2]')
  expect(await terminalLines(page)).not.toContainEqual(expect.stringContaining('SyntaxError'))
  await page.keyboard.press('Enter')
  await submitLine(page, 'pairOfNumbers[0] + pairOfNumbers[1]')
  await expect.poll(() => terminalLines(page)).toContain('42')
  // Ctrl+C on a multi-line input clears all of it.
  await page.keyboard.type('if (true) {')
  await page.keyboard.press('Enter')
  await page.keyboard.type('  "never run"')
  await page.keyboard.press('Control+C')
  await submitLine(page, '"after the cancel"')
  await expect.poll(() => terminalLines(page)).toContain("'after the cancel'")
  expect(await terminalLines(page)).not.toContain("'never run'")
})

test('Enter continues code cut short (a trailing operator, an if header) as the terminal client does, and runs it once whole', async ({ page, host }) => {
  await open(page, host.url)
  await page.keyboard.type('const sumOfParts = 40 +')
  await page.keyboard.press('Enter')
  await page.keyboard.type('2')
  await expect.poll(() => promptLines(page)).toContainEqual('… 2')
  await page.keyboard.press('Enter')
  await page.keyboard.type('if (sumOfParts === 42)')
  await page.keyboard.press('Enter')
  await page.keyboard.type('  console.log("the parts add up")')
  await expect.poll(() => promptLines(page)).toContainEqual('…   console.log("the parts add up")')
  await page.screenshot({ path: 'test-results/editor-continuation-cut-short.png' })
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContain('the parts add up')
  expect(await terminalLines(page)).not.toContainEqual(expect.stringContaining('SyntaxError'))
})

test('the history survives a reload; Ctrl+R finds an older input and Enter puts it at the prompt without running it', async ({ page, host }) => {
  await open(page, host.url)
  const marker = `historyMarker${Date.now()}`
  await submitLine(page, `var ${marker} = 'first'`)
  await submitLine(page, '1 + 1')
  await expect.poll(() => terminalLines(page)).toContain('2')

  await page.reload()
  await ready(page)
  await page.keyboard.press('ArrowUp')
  await expect.poll(() => promptLines(page)).toContainEqual('› 1 + 1')
  await page.keyboard.press('Control+U')
  await page.keyboard.press('Control+R')
  await page.keyboard.type(`${marker} =`)
  await expect.poll(() => promptLines(page)).toContainEqual(`(reverse-i-search)'${marker} =': var ${marker} = 'first'`)
  await page.screenshot({ path: 'test-results/editor-reverse-search.png' })
  await page.keyboard.press('Enter')
  await expect.poll(() => promptLines(page)).toContainEqual(`› var ${marker} = 'first'`)
  // Accepted, not run: no new result line appeared.
  expect((await terminalLines(page)).at(-1)).toBe(`› var ${marker} = 'first'`)
})

test('the history comes back in a new runtime (a restart): it is read from the project’s session store', async ({ page, host }) => {
  await open(page, host.url)
  const marker = `restartMarker${Date.now()}`
  await submitLine(page, `var ${marker} = 1`)
  await expect.poll(() => terminalLines(page)).toContain(`› var ${marker} = 1`)
  const second = await startHost()
  try {
    await open(page, second.url)
    await page.keyboard.press('Control+R')
    await page.keyboard.type(marker)
    await expect.poll(() => promptLines(page)).toContainEqual(`(reverse-i-search)'${marker}': var ${marker} = 1`)
  } finally {
    await second.stop()
  }
})

test('background output goes above a partly typed multi-line input and leaves it as it was', async ({ page, host }) => {
  await open(page, host.url)
  await submitLine(page, 'setTimeout(() => console.log("from the " + "background"), 1500); "timer set"')
  await expect.poll(() => terminalLines(page)).toContain("'timer set'")
  await page.keyboard.type('const later = {')
  await page.keyboard.press('Enter')
  await page.keyboard.type('  half: "typed')
  await expect.poll(() => terminalLines(page)).toContain('from the background')
  const lines = await terminalLines(page)
  expect(lines.slice(-3)).toEqual(['from the background', '› const later = {', '…   half: "typed'])
  await page.screenshot({ path: 'test-results/editor-background-output.png' })
  await page.keyboard.type('" }')
  await page.keyboard.press('Enter')
  await submitLine(page, 'later.half')
  await expect.poll(() => terminalLines(page)).toContain("'typed'")
})

test('JS input is highlighted as it is typed: keywords, strings, numbers and comments in their colours', async ({ page, host }) => {
  await open(page, host.url)
  await page.keyboard.type('const label: string = "shoes" + 42 // a note')
  // Read from xterm's buffer: the same whichever renderer (WebGL or DOM) draws it.
  await expect.poll(() => colourOf(page, 'const')).toBe(5)
  expect(await colourOf(page, 'string')).toBe(6)
  expect(await colourOf(page, '"shoes"')).toBe(3)
  expect(await colourOf(page, '42')).toBe(2)
  expect(await colourOf(page, '// a note')).toBe(8)
  expect(await colourOf(page, 'label')).toBe('default')
  await expect.poll(() => promptLines(page)).toContainEqual('› const label: string = "shoes" + 42 // a note')
  await page.screenshot({ path: 'test-results/editor-highlight.png' })
})

test('a completion list follows typing after a dot; Down moves in it, Enter accepts, and the terminal keeps the focus', async ({ page, host }) => {
  await open(page, host.url)
  await submitLine(page, 'var wardrobePlan = { colour: "blue", count: 3, coat: true, shoes: 2 }')
  await expect.poll(() => terminalLines(page)).toContain('undefined') // its result: a list asked for before the name exists is empty
  await page.keyboard.type('wardrobePlan.co')
  const popup = page.getByTestId('completion-popup')
  await expect(popup).toBeVisible()
  await expect(popup.getByTestId('completion-item')).toHaveText([/^coat/, /^colour/, /^count/])
  await expect(popup.getByTestId('completion-item').first()).toContainText('property')
  await expect(popup.locator('[aria-selected="true"]')).toHaveCount(0) // nothing picked: Enter would run the input
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await expect(popup.getByTestId('completion-item').nth(2)).toHaveAttribute('aria-selected', 'true')
  await page.screenshot({ path: 'test-results/editor-completion.png' })
  await page.keyboard.press('Enter')
  await expect(popup).toBeHidden()
  await expect.poll(() => promptLines(page)).toContainEqual('› wardrobePlan.count')
  expect(await page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea'))).toBe(true)
  // A space ends the word: the list goes.
  await page.keyboard.type(' + wardrobePlan.sh')
  await expect(popup.getByTestId('completion-item')).toHaveText([/^shoes/])
  await page.keyboard.type(' ')
  await expect(popup).toBeHidden()
  // With nothing picked, Tab takes the (only) item, and Enter runs the input.
  await page.keyboard.press('Backspace')
  await expect(popup).toBeVisible()
  await page.keyboard.press('Tab')
  await expect.poll(() => promptLines(page)).toContainEqual('› wardrobePlan.count + wardrobePlan.shoes')
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContain('5')
})

test('Tab with the completion list open takes the picked item (the first when none is picked) instead of printing the list', async ({ page, host }) => {
  await open(page, host.url)
  await submitLine(page, 'var outfitPlan = { colour: "blue", count: 3, coat: true }')
  // Its result, not just its echo: a list asked for before the name exists would be empty.
  await expect.poll(() => terminalLines(page)).toContain('undefined')
  await page.keyboard.type('outfitPlan.co')
  const popup = page.getByTestId('completion-popup')
  await expect(popup.getByTestId('completion-item')).toHaveText([/^coat/, /^colour/, /^count/])
  await page.keyboard.press('Tab')
  await expect(popup).toBeHidden()
  await expect.poll(() => promptLines(page)).toContainEqual('› outfitPlan.coat')
  // The list was not printed: `colour` shows only in the definition's echo.
  expect((await terminalLines(page)).filter((line) => line.includes('colour'))).toHaveLength(1)
  await page.keyboard.type(' && outfitPlan.co')
  await expect(popup.getByTestId('completion-item')).toHaveText([/^coat/, /^colour/, /^count/])
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Tab')
  await expect.poll(() => promptLines(page)).toContainEqual('› outfitPlan.coat && outfitPlan.colour')
  await page.screenshot({ path: 'test-results/editor-completion-tab.png' })
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContain("'blue'")
})

test('typing never waits for completions: while the runtime is busy the text appears at once, and late answers for it are dropped', async ({ page, host }) => {
  await open(page, host.url)
  await submitLine(page, 'var closet = { coat: 1, count: 2 }')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('coat'))
  await submitLine(page, 'const busyUntil = Date.now() + 2000; while (Date.now() < busyUntil) {}; "busy " + "done"')
  // Completions are asked for `closet.co` (the runtime answers only after its loop), then the input moves on.
  await page.keyboard.type('closet.co')
  await page.waitForTimeout(300) // past the debounce: the request is on its way
  await page.keyboard.type('unt * 21')
  await expect.poll(() => promptLines(page)).toContainEqual('› closet.count * 21')
  expect(await terminalLines(page)).not.toContain("'busy done'")
  await expect.poll(() => terminalLines(page)).toContain("'busy done'")
  // The answers for `closet.co` arrived for an input that is gone: no list.
  await page.waitForTimeout(500)
  await expect(page.getByTestId('completion-popup')).toBeHidden()
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContain('42')
})
