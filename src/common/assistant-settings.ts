import { z } from 'zod'

/**
 * The AI assistant's settings as the app keeps them: the Anthropic API key (from the app's
 * settings, or else ANTHROPIC_API_KEY) and the model. The key goes from the settings dialog to
 * the host (Electron main, or the browser host) and from there to the runtime; the renderer is only
 * ever told where the key comes from, never the key.
 */
/** The one default model: the assistant's, and the graph LM's Anthropic backend's (`DEFAULT_ANTHROPIC_MODEL`). */
export const DEFAULT_MODEL = 'claude-sonnet-5-5'
/** Offered in the settings dialog; any other model name may be typed. */
export const SUGGESTED_MODELS = ['claude-sonnet-5-5', 'claude-opus-4-6', 'claude-haiku-4-5'] as const

export const ApiKey = z
  .string()
  .min(8)
  .max(1000)
  .regex(/^[\x21-\x7e]+$/, 'an API key is printable characters without spaces')
export const ModelName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/, 'a model name is letters, digits and . _ : @ / -')

/** What the window may know: where the key comes from, and the model. */
export const AssistantSettingsView = z.object({
  apiKey: z.enum(['settings', 'env', 'none']),
  model: ModelName,
  /** How a key given in the dialog is kept: encrypted on disk (Electron safeStorage) or in the host's memory only (browser mode). */
  keyStorage: z.enum(['encrypted', 'memory'])
})
export type AssistantSettingsView = z.infer<typeof AssistantSettingsView>

/**
 * From the host to the runtime process itself (Electron: `process.parentPort`; browser mode and
 * the terminal client: a mux control frame), never over a client's channel. `apiKey: null` forgets
 * a key from the settings (the runtime falls back to ANTHROPIC_API_KEY).
 */
export const ConfigureMessage = z
  .object({
    kind: z.literal('configure'),
    apiKey: ApiKey.nullable().optional(),
    model: ModelName.optional()
  })
  .strict()
export type ConfigureMessage = z.infer<typeof ConfigureMessage>

/** Checks a key given in the settings dialog; the error never contains the key (it may end up in a log). */
export function checkApiKey(key: string): string {
  const parsed = ApiKey.safeParse(key)
  if (!parsed.success) throw new Error(`not an API key: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`)
  return parsed.data
}

/** Which key the assistant uses: the settings' first, else the environment's. */
export function keySource(hasSettingsKey: boolean, env: Record<string, string | undefined>): AssistantSettingsView['apiKey'] {
  return hasSettingsKey ? 'settings' : env['ANTHROPIC_API_KEY'] ? 'env' : 'none'
}
