import type { LoadedFile } from './repl/magics'

/**
 * The one line a first start shows when the OOTD example was loaded (`npm start`): what to type to
 * run it, and which LM that uses. The example's runs use the live model when ANTHROPIC_API_KEY is
 * set (the runtime's default LM); otherwise its recorded answers are the only way to run it.
 */
export function welcomeLine(loaded: readonly LoadedFile[], env: Record<string, string | undefined>): string | undefined {
  const example = loaded.find((file) => file.graphs.includes('ootd') && file.names.includes('recordedLm'))
  if (!example) return undefined
  // The recorded answers are for this input (examples/ootd/regenerate.ts): another would miss them.
  const input = "{ name: 'Dzara', user_message: 'ugh i just got up' }"
  return env['ANTHROPIC_API_KEY']
    ? `OOTD example loaded: run it with  await ootd(${input})  (the live model: ANTHROPIC_API_KEY is set; add { lm: recordedLm() } to replay recorded answers)`
    : `OOTD example loaded: run it with  await ootd(${input}, { lm: recordedLm() })  (replay of recorded answers: no ANTHROPIC_API_KEY is set)`
}
