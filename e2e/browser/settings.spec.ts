import { expect, type Page } from '@playwright/test'
import { testWithHost } from '../support/web-host'

// No key in the environment: the dialog's "not set" is the starting point.
const test = testWithHost({ ANTHROPIC_API_KEY: '' })

const KEY = 'sk-ant-e2e-secret-0123456789'

/** Everything the page holds as text: the document, and the values of its fields (a password field's value is no attribute). */
const pageText = (page: Page) =>
  page.evaluate(() => [document.documentElement.outerHTML, ...[...document.querySelectorAll('input')].map((input) => input.value)].join('\n'))

test('File ▸ Settings… stores the API key write-only: the dialog shows it is set, and the page never holds or receives it', async ({ page, host }) => {
  // Every frame the page receives on its sockets (the runtime's and the host's).
  const received: string[] = []
  page.on('websocket', (socket) => socket.on('framereceived', (frame) => received.push(String(frame.payload))))
  let hostLog = ''
  host.process.stderr!.on('data', (chunk: Buffer | string) => (hostLog += String(chunk)))
  await page.goto(host.url)
  await expect(page.getByTestId('connection')).toHaveText('connected')

  await page.getByTestId('menu-file').click()
  await page.getByTestId('menu-settings').click()
  await expect(page.getByTestId('settings-dialog')).toBeVisible()
  await expect(page.getByTestId('settings-key-status')).toHaveText('Key: not set')
  await expect(page.getByTestId('settings-dialog')).toContainText('kept in the Cortex host’s memory only')
  await expect(page.getByTestId('settings-api-key')).toBeFocused()
  await page.keyboard.type(KEY)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('settings-key-status')).toHaveText('Key: set in settings')
  await expect(page.getByTestId('settings-done')).toHaveText('API key saved')
  await expect(page.getByTestId('settings-api-key')).toHaveValue('')

  // The model: a suggestion list, any name accepted, a wrong one refused with the reason.
  await page.getByTestId('settings-model').fill('claude-opus-4-6')
  await page.getByTestId('settings-save-model').click()
  await expect(page.getByTestId('settings-done')).toHaveText('Model saved')
  await page.screenshot({ path: 'test-results/settings-key-set.png' })
  await page.getByTestId('settings-model').fill('not a model')
  await page.getByTestId('settings-save-model').click()
  await expect(page.getByTestId('settings-error')).toBeVisible()

  // Closed and opened again (a reload, even): the host still has both, and says only where the key comes from.
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('settings-dialog')).toHaveCount(0)
  await page.reload()
  await expect(page.getByTestId('connection')).toHaveText('connected')
  await page.getByTestId('menu-file').click()
  await page.getByTestId('menu-settings').click()
  await expect(page.getByTestId('settings-key-status')).toHaveText('Key: set in settings')
  await expect(page.getByTestId('settings-model')).toHaveValue('claude-opus-4-6')

  expect(await pageText(page)).not.toContain(KEY)
  expect(received.join('\n')).not.toContain(KEY)
  expect(received.join('\n')).toContain('"apiKey":"settings"') // the answers say where the key comes from
  expect(hostLog).not.toContain(KEY)

  // Clear: the key is forgotten (no ANTHROPIC_API_KEY here, so none is left).
  await page.getByTestId('settings-clear-key').click()
  await expect(page.getByTestId('settings-key-status')).toHaveText('Key: not set')
})
