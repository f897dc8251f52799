import { checkApiKey, DEFAULT_MODEL, keySource, ModelName, type AssistantSettingsView, type ConfigureMessage } from '../common/assistant-settings'
import { Emitter } from '../common/event'

/**
 * The assistant's settings in the browser mode. The host has no safeStorage, so a key given in the
 * settings dialog is kept in this process's memory only (gone when `cortex web` stops; the dialog
 * says so); ANTHROPIC_API_KEY works as in Electron. The page is told only where the key comes from.
 */
export class MemoryAssistantSettings {
  private apiKey: string | undefined
  private model = DEFAULT_MODEL
  private readonly changes = new Emitter<void>()
  readonly onDidChange = this.changes.event

  constructor(private readonly env: Record<string, string | undefined>) {}

  view(): AssistantSettingsView {
    return { apiKey: keySource(this.apiKey !== undefined, this.env), model: this.model, keyStorage: 'memory' }
  }

  setApiKey(key: string | null): AssistantSettingsView {
    this.apiKey = key === null ? undefined : checkApiKey(key)
    this.changes.fire()
    return this.view()
  }

  setModel(model: string): AssistantSettingsView {
    this.model = ModelName.parse(model)
    this.changes.fire()
    return this.view()
  }

  configuration(): ConfigureMessage {
    return { kind: 'configure', apiKey: this.apiKey ?? null, model: this.model }
  }
}
