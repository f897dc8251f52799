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

test('Ctrl+C on a graph run the prompt awaits cancels the run: its gate is withdrawn and the prompt returns', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  // Awaited at the prompt, the run waits at its gate: a long run that holds the prompt.
  await submitLine(page, "await ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })")
  const gate = /\[graph (g\d+)\] gate (g\d+\.0)/
  await expect.poll(async () => (await terminalLines(page)).some((line) => gate.test(line))).toBe(true)
  const [, runId] = (await terminalLines(page)).map((line) => gate.exec(line)).find(Boolean)!
  await expect(page.getByTestId('gates')).toContainText('1 gate waiting')
  await page.keyboard.press('Control+C')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('^C: cancelling'))
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(new RegExp(`\\[graph ${runId}\\] .*cancelled`)))
  await expect(page.getByTestId('gates')).toHaveCount(0)
  await submitLine(page, `engine.run('${runId}').state`)
  await expect.poll(() => terminalLines(page)).toContainEqual("'cancelled'")
  await page.screenshot({ path: 'test-results/browser-graph-cancelled.png' })
})

test('an answer to a gate goes out at once while the run waiting at it is awaited at the prompt', async ({ page, host }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  // The prompt awaits the run, which waits at its gate: the answer must not queue behind it.
  await submitLine(page, "(await ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })).find(RecommendOOTD).footwear")
  const gate = /\[graph g\d+\] gate (g\d+\.0)/
  await expect.poll(async () => (await terminalLines(page)).some((line) => gate.test(line))).toBe(true)
  const [, gateId] = (await terminalLines(page)).map((line) => gate.exec(line)).find(Boolean)!
  await submitLine(page, `@${gateId} ugh i just got up`)
  // The awaited run went on past its gate and ended: its outfit's footwear is the first input's result.
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/^'.+'$/))
  await expect(page.getByTestId('gates')).toHaveCount(0)
  await page.screenshot({ path: 'test-results/browser-graph-gate-answered-while-awaited.png' })
})
