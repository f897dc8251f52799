// Runs a benchmark scenario in a fresh Node process, so its timings and peak memory are its own.
import { spawn } from 'node:child_process'
import process from 'node:process'
import { clearTimeout, setTimeout } from 'node:timers'
import { pathToFileURL } from 'node:url'
import { projectRoot } from './build.mjs'

const ROOT_URL = `${pathToFileURL(projectRoot).href}/`

/** The child's environment: LangSmith tracing off, so the baseline never reaches the network. */
function childEnv() {
  return { ...process.env, LANGSMITH_TRACING: 'false', LANGCHAIN_TRACING_V2: 'false' }
}

/**
 * The child's stderr, condensed: each distinct warning once, with a count and the first stack
 * frame outside Node (children run with --trace-warnings, so a warning names its source).
 */
function condense(stderr) {
  const blocks = []
  for (const line of stderr.split('\n')) {
    if (!line.trim()) continue
    const last = blocks.at(-1)
    if (/^\s+at /.test(line) && last) {
      if (!last.at && !/\(node:|at node:|<anonymous>/.test(line)) last.at = line.trim().replace(/^at /, '').replace(ROOT_URL, '')
    } else blocks.push({ text: line.replace(/^\(node:\d+\) /, ''), at: undefined })
  }
  const counts = new Map()
  for (const { text, at } of blocks) {
    const key = at ? `${text} (at ${at})` : text
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts].map(([line, count]) => `${line}${count > 1 ? ` ×${count}` : ''}`)
}

/**
 * Runs `node script ...args`; resolves with `{ result, messages }`: the JSON of the last line of
 * its stdout, and its condensed stderr.
 */
export function runChild(script, args = [], { label = args.join(' '), timeoutMs = 10 * 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--trace-warnings', script, ...args], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const messages = condense(stderr)
      const last = stdout.trim().split('\n').at(-1)
      const failure = (why) => Object.assign(new Error(`${label} ${why}${messages.length ? `:\n    ${messages.join('\n    ')}` : ''}`), { messages })
      if (code !== 0 || !last) return reject(failure(`failed (${signal ?? `exit code ${code}`})`))
      try {
        resolve({ result: JSON.parse(last), messages })
      } catch {
        reject(failure(`printed no result (${last.slice(0, 200)})`))
      }
    })
  })
}
