import { test as base, expect } from '@playwright/test'
import { fakeReply, startFakeAnthropic, type FakeAnthropic } from '../../test/support/fake-anthropic'
import { startHost, type RunningHost } from '../support/web-host'
import { terminalLines } from '../support/terminal'

/** A browser-mode host whose runtime talks to a fake Messages API (the real SDK over real HTTP and SSE). */
const test = base.extend<object, { api: FakeAnthropic; host: RunningHost }>({
  api: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their dependencies
    async ({}, use) => {
      const api = await startFakeAnthropic()
      await use(api)
      await api.close()
    },
    { scope: 'worker' }
  ],
  host: [
    async ({ api }, use) => {
      const host = await startHost({ ANTHROPIC_API_KEY: 'sk-ant-e2e-0123456789', ANTHROPIC_BASE_URL: api.url })
      await use(host)
      await host.stop()
    },
    { scope: 'worker' }
  ]
})

test('NL mode: the answer streams in with a tool line, and Ctrl+C mid-stream stops it and gives the prompt back', async ({ page, host, api }) => {
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await page.locator('.xterm').click()
  await page.keyboard.type('var scores = [3, 5, 8]')
  await page.keyboard.press('Enter')
  await page.keyboard.press('Shift+Tab') // js → nl
  await expect(page.getByTestId('mode')).toHaveText('NL')

  api.reply(
    fakeReply.toolUse('evaluate', { expression: 'scores.length' }),
    fakeReply.text('There are three scores in your namespace; their sum is sixteen.', { dribbleMs: 20 })
  )
  await page.keyboard.type('how many scores are there?')
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('◆ evaluate(scores.length) → 3'))
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('their sum is sixteen.'))
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringMatching(/\[ai:1 · context [\d,]+ tokens of 200,000 · 1 tool call/))
  await page.screenshot({ path: 'test-results/ai-streamed-answer.png' })

  api.reply(fakeReply.hang({ headers: true, text: 'Let me think about this slowly' })) // the first words, then nothing until the client goes
  await page.keyboard.type('and the median?')
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('Let me think about this slowly'))
  await page.keyboard.press('Control+C')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('the AI request was cancelled'))
  expect(await api.requests.at(-1)!.outcome).toBe('client-closed')
  // The prompt is back: the next question goes through.
  api.reply(fakeReply.text('The median is five.'))
  await page.keyboard.type('the median, quickly')
  await page.keyboard.press('Enter')
  await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('The median is five.'))
  await page.screenshot({ path: 'test-results/ai-cancelled.png' })
})

test('without a key NL mode says how to set one; a key and model set in File ▸ Settings… are what the next question uses', async ({ page, api }) => {
  const KEY = 'sk-ant-e2e-from-settings-42'
  const keyless = await startHost({ ANTHROPIC_API_KEY: '', ANTHROPIC_BASE_URL: api.url })
  try {
    await page.goto(keyless.url)
    await expect(page.getByTestId('connection')).toHaveText('connected')
    await page.locator('.xterm').click()
    await page.keyboard.press('Shift+Tab') // js → nl
    await expect(page.getByTestId('mode')).toHaveText('NL')
    await page.keyboard.type('hello?')
    await page.keyboard.press('Enter')
    await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('Set ANTHROPIC_API_KEY in the environment before starting Cortex'))
    await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('File ▸ Settings…'))
    const before = api.requests.length

    await page.getByTestId('menu-file').click()
    await page.getByTestId('menu-settings').click()
    await page.getByTestId('settings-api-key').fill(KEY)
    await page.getByTestId('settings-api-key').press('Enter')
    await expect(page.getByTestId('settings-key-status')).toHaveText('Key: set in settings')
    await page.getByTestId('settings-model').fill('claude-opus-4-6')
    await page.getByTestId('settings-save-model').click()
    await expect(page.getByTestId('settings-done')).toHaveText('Model saved')
    await page.keyboard.press('Escape') // closes the dialog though the save moved the focus out of it
    await expect(page.getByTestId('settings-dialog')).toHaveCount(0)

    api.reply(fakeReply.text('Hello from **settings**.'))
    await page.locator('.xterm').click()
    await page.keyboard.type('hello again?')
    await page.keyboard.press('Enter')
    await expect.poll(() => terminalLines(page)).toContainEqual(expect.stringContaining('Hello from settings.'))
    const request = api.requests.at(-1)!
    expect(api.requests.length).toBe(before + 1) // the keyless question never reached the API
    expect(request.headers['authorization']).toBe(`Bearer ${KEY}`)
    expect(request.body.model).toBe('claude-opus-4-6')
    expect((await terminalLines(page)).join('\n')).not.toContain(KEY)
  } finally {
    await keyless.stop()
  }
})
