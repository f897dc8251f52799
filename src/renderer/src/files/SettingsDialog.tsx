import { useEffect, useRef, useState } from 'react'
import { Dialog } from './Dialog'
import { SUGGESTED_MODELS, type AssistantSettingsView } from '../../../common/assistant-settings'
import type { CortexApi } from '../api/cortex-api'

const KEY_SOURCE: Record<AssistantSettingsView['apiKey'], string> = {
  settings: 'set in settings',
  env: 'from ANTHROPIC_API_KEY',
  none: 'not set'
}

/**
 * File ▸ Settings…: the AI assistant's API key and model. The key field is write-only: what is
 * typed goes to the host (and is cleared from the page at once); the page is only ever told where
 * the key comes from.
 */
export function SettingsDialog({ api, onClose }: { api: CortexApi; onClose: () => void }) {
  const [view, setView] = useState<AssistantSettingsView>()
  const [key, setKey] = useState('')
  const [model, setModel] = useState('')
  const [error, setError] = useState<string>()
  const [done, setDone] = useState<string>()
  const keyInput = useRef<HTMLInputElement>(null)

  useEffect(() => {
    keyInput.current?.focus()
    api.settings.get().then(
      (settings) => {
        setView(settings)
        setModel(settings.model)
      },
      (failure: unknown) => setError((failure as Error).message)
    )
  }, [api])

  const apply = async (change: () => Promise<AssistantSettingsView>, what: string): Promise<boolean> => {
    try {
      setView(await change())
      setError(undefined)
      setDone(what)
      return true
    } catch (failure) {
      setError((failure as Error).message)
      setDone(undefined)
      return false
    }
  }
  const saveKey = async () => {
    const typed = key.trim()
    // Out of the page whatever the outcome: a key must not linger in the DOM.
    setKey('')
    if (typed) await apply(() => api.settings.setApiKey(typed), 'API key saved')
  }

  return (
    <Dialog title="Settings" className="settings-dialog" testId="settings-dialog" onClose={onClose}>
      <h3>AI assistant</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void saveKey()
        }}
      >
        <label htmlFor="settings-api-key">Anthropic API key</label>
        <div className="settings-row">
          <input
            id="settings-api-key"
            ref={keyInput}
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="sk-ant-…"
            value={key}
            data-testid="settings-api-key"
            onChange={(e) => setKey(e.target.value)}
          />
          <button type="submit" disabled={!key.trim()} data-testid="settings-save-key">
            Save key
          </button>
          <button
            type="button"
            disabled={view?.apiKey !== 'settings'}
            data-testid="settings-clear-key"
            onClick={() => void apply(() => api.settings.setApiKey(null), 'API key cleared')}
          >
            Clear
          </button>
        </div>
        <p className="settings-status" data-testid="settings-key-status">
          Key: {view ? KEY_SOURCE[view.apiKey] : '…'}
        </p>
        <p className="settings-note">
          {view?.keyStorage === 'memory'
            ? 'Browser mode: a key saved here is kept in the Cortex host’s memory only, until “cortex web” stops. It is never sent back to this page.'
            : 'Stored encrypted with the system’s keychain (Electron safeStorage). It is never sent back to this window.'}
        </p>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          void apply(() => api.settings.setModel(model.trim()), 'Model saved')
        }}
      >
        <label htmlFor="settings-model">Model</label>
        <div className="settings-row">
          <input
            id="settings-model"
            list="settings-models"
            spellCheck={false}
            value={model}
            data-testid="settings-model"
            onChange={(e) => setModel(e.target.value)}
          />
          <datalist id="settings-models">
            {SUGGESTED_MODELS.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          <button type="submit" disabled={!model.trim() || model.trim() === view?.model} data-testid="settings-save-model">
            Save model
          </button>
        </div>
      </form>
      {error && (
        <p className="settings-error" role="alert" data-testid="settings-error">
          {error}
        </p>
      )}
      {done && !error && (
        <p className="settings-done" role="status" data-testid="settings-done">
          {done}
        </p>
      )}
    </Dialog>
  )
}
