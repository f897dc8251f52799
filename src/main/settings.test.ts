import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryLogger } from '../common/logger'
import { AssistantSettings, type SafeStorageLike } from './settings'

/** Electron's safeStorage stand-in: a reversible "encryption" that leaves no plain text on disk. */
function fakeSafeStorage(available = true): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (text) => Buffer.from(`enc:${Buffer.from(text).toString('base64')}`),
    decryptString: (data) => {
      const text = data.toString()
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.')
      return Buffer.from(text.slice(4), 'base64').toString()
    }
  }
}

const dirs: string[] = []
function settings(options: { env?: Record<string, string>; available?: boolean; dir?: string } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'cortex-settings-'))
  dirs.push(dir)
  const log = new MemoryLogger()
  return { dir, log, store: new AssistantSettings({ dir, safeStorage: fakeSafeStorage(options.available), env: options.env ?? {}, log }) }
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const KEY = 'sk-ant-api03-secret-value'

describe('AssistantSettings (Electron main)', () => {
  it('stores the key encrypted, readable only by this user, and tells the window only where the key comes from', () => {
    const { dir, store } = settings()
    expect(store.view()).toEqual({ apiKey: 'none', model: 'claude-sonnet-5-5', keyStorage: 'encrypted' })
    const view = store.setApiKey(KEY)
    expect(view.apiKey).toBe('settings')
    expect(JSON.stringify(view)).not.toContain('sk-ant')
    const file = join(dir, 'assistant-key.bin')
    expect(readFileSync(file, 'utf8')).not.toContain(KEY)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(store.configuration()).toEqual({ kind: 'configure', apiKey: KEY, model: 'claude-sonnet-5-5' })
  })

  it('keeps the settings across restarts of the app, and forgets the key on null (then ANTHROPIC_API_KEY is used)', () => {
    const first = settings({ env: { ANTHROPIC_API_KEY: 'from-env' } })
    expect(first.store.view().apiKey).toBe('env')
    first.store.setApiKey(KEY)
    first.store.setModel('claude-opus-4-6')
    const again = settings({ dir: first.dir, env: { ANTHROPIC_API_KEY: 'from-env' } }).store
    expect(again.view()).toEqual({ apiKey: 'settings', model: 'claude-opus-4-6', keyStorage: 'encrypted' })
    expect(again.setApiKey(null).apiKey).toBe('env')
    expect(existsSync(join(first.dir, 'assistant-key.bin'))).toBe(false)
    expect(again.configuration()).toEqual({ kind: 'configure', apiKey: null, model: 'claude-opus-4-6' })
  })

  it('refuses to store a key where the system offers no encryption, saying so, and stores nothing', () => {
    const { dir, store } = settings({ available: false })
    expect(() => store.setApiKey(KEY)).toThrow(/no encryption.*ANTHROPIC_API_KEY/)
    expect(existsSync(join(dir, 'assistant-key.bin'))).toBe(false)
    expect(store.view().apiKey).toBe('none')
  })

  it('rejects a model name that is not one, and says when the runtime must be told again', () => {
    const { store } = settings()
    let changes = 0
    store.onDidChange(() => changes++)
    expect(() => store.setModel('bad model; rm -rf')).toThrow()
    store.setModel('claude-haiku-4-5')
    store.setApiKey(KEY)
    expect(changes).toBe(2)
  })

  it('a stored key that cannot be decrypted any more is dropped with a warning that does not contain it', () => {
    const { dir, store, log } = settings()
    store.setApiKey(KEY)
    const broken = new AssistantSettings({
      dir,
      safeStorage: {
        ...fakeSafeStorage(),
        decryptString: () => {
          throw new Error(`bad ${KEY}`)
        }
      },
      env: {},
      log
    })
    expect(broken.configuration().apiKey).toBeNull()
    expect(log.records.some((record) => record.message.includes('cannot be decrypted'))).toBe(true)
    expect(JSON.stringify(log.records)).not.toContain(KEY)
  })
})
