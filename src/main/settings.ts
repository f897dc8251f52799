import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkApiKey, DEFAULT_MODEL, keySource, ModelName, type AssistantSettingsView, type ConfigureMessage } from '../common/assistant-settings'
import { Emitter } from '../common/event'
import type { Logger } from '../common/logger'

/** Electron's safeStorage, as far as the settings use it (tests give a fake). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  encryptString(text: string): Buffer
  decryptString(data: Buffer): string
}

export interface AssistantSettingsOptions {
  /** Where the settings live (Electron's userData). */
  dir: string
  safeStorage: SafeStorageLike
  env: Record<string, string | undefined>
  log: Logger
}

const KEY_FILE = 'assistant-key.bin'
const SETTINGS_FILE = 'assistant.json'

/**
 * The assistant's settings in Electron main: the API key encrypted with safeStorage (the OS
 * keychain's key) in userData, the model in plain JSON. The key is read only to be passed to the
 * runtime; it is never logged, and the window only ever learns where the key comes from.
 */
export class AssistantSettings {
  private readonly changes = new Emitter<void>()
  /** The runtime must be told again (see {@link configuration}). */
  readonly onDidChange = this.changes.event

  constructor(private readonly options: AssistantSettingsOptions) {}

  view(): AssistantSettingsView {
    return { apiKey: keySource(existsSync(this.keyPath), this.options.env), model: this.model(), keyStorage: 'encrypted' }
  }

  /** Stores the key encrypted, or forgets it (null). Refuses where the OS offers no encryption. */
  setApiKey(key: string | null): AssistantSettingsView {
    if (key === null) rmSync(this.keyPath, { force: true })
    else {
      if (!this.options.safeStorage.isEncryptionAvailable())
        throw new Error('cannot store the API key: this system offers no encryption for it (no keychain or secret service); set ANTHROPIC_API_KEY instead')
      mkdirSync(this.options.dir, { recursive: true })
      writeFileSync(this.keyPath, this.options.safeStorage.encryptString(checkApiKey(key)), { mode: 0o600 })
      chmodSync(this.keyPath, 0o600)
    }
    this.changes.fire()
    return this.view()
  }

  setModel(model: string): AssistantSettingsView {
    const parsed = ModelName.parse(model)
    mkdirSync(this.options.dir, { recursive: true })
    writeFileSync(this.settingsPath, `${JSON.stringify({ model: parsed }, null, 2)}\n`)
    this.changes.fire()
    return this.view()
  }

  /** What the runtime is told at start, after each restart and on each change. */
  configuration(): ConfigureMessage {
    return { kind: 'configure', apiKey: this.storedKey(), model: this.model() }
  }

  private storedKey(): string | null {
    if (!existsSync(this.keyPath)) return null
    try {
      return this.options.safeStorage.decryptString(readFileSync(this.keyPath))
    } catch (error) {
      // Never the key or its bytes in the log: only that it could not be read.
      this.options.log.warn(`the stored API key cannot be decrypted (${(error as Error).name}); set it again in Settings`)
      return null
    }
  }

  private model(): string {
    try {
      const parsed = ModelName.safeParse((JSON.parse(readFileSync(this.settingsPath, 'utf8')) as { model?: unknown }).model)
      return parsed.success ? parsed.data : DEFAULT_MODEL
    } catch {
      return DEFAULT_MODEL
    }
  }

  private get keyPath(): string {
    return join(this.options.dir, KEY_FILE)
  }

  private get settingsPath(): string {
    return join(this.options.dir, SETTINGS_FILE)
  }
}
