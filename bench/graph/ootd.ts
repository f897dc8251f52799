/**
 * 1,000 concurrent runs of the OOTD example over its recorded LM answers (bundled to
 * node_modules/.cache/cortex-bench/ootd.mjs only when examples/ootd exists):
 *
 *   node node_modules/.cache/cortex-bench/ootd.mjs <recording.jsonl> [runs]
 */
import { ootd } from '../../examples/ootd'
import { createLm, ReplayBackend } from '../../src/runtime/lm'
import { report, underLoad } from './measure'

const [recording, runs = '1000'] = process.argv.slice(2)
if (!recording) throw new Error('usage: node node_modules/.cache/cortex-bench/ootd.mjs <recording.jsonl> [runs]')
const lm = createLm(ReplayBackend.fromFile(recording))
const inputs = { name: 'Dzara', user_message: 'ugh i just got up' }
const run = () => ootd(inputs, { lm })

// One run alone first: a replay that cannot complete even once fails here, with its own message.
const single = await run()
report({ steps: single.trace.length, ...(await underLoad(Number(runs), run)) })
