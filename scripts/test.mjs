// `npm test`: every check, in order, with one closing line `N passed, N failed` summed over the
// vitest and Playwright suites. A failing step without test counts (lint, typecheck, build) adds
// one failure, so the closing line never reads all-green when something broke.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { build, projectRoot } from './build.mjs'
import { findElectronBinary } from './electron-binary.mjs'
import { ensureChromium } from './ensure-chromium.mjs'

const reports = join(projectRoot, 'reports')
rmSync(reports, { recursive: true, force: true })
mkdirSync(reports, { recursive: true })

const bin = (name) => join(projectRoot, 'node_modules', '.bin', name)
const failedSteps = []

function step(name, command, args, env = {}) {
  process.stdout.write(`\n── ${name} ──\n`)
  const result = spawnSync(command, args, { cwd: projectRoot, stdio: 'inherit', env: { ...process.env, ...env } })
  if (result.status !== 0) failedSteps.push(name)
  return result.status === 0
}

step('lint', bin('eslint'), ['.'])
step('format', bin('prettier'), ['--check', '.', '--log-level', 'warn'])
step('typecheck', process.execPath, [join(projectRoot, 'scripts/typecheck.mjs')])
process.stdout.write('\n── build ──\n')
const built = build()
if (!built) failedSteps.push('build')

if (built) {
  step('unit + integration (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(reports, 'vitest.json')}`], {
    CORTEX_SKIP_BUILD: '1'
  })
  if (!ensureChromium()) failedSteps.push('chromium for e2e')
  // Electron needs a display; where the binary exists but no display does, use a virtual one.
  const needsXvfb = findElectronBinary() && !process.env.DISPLAY && spawnSync('which', ['xvfb-run']).status === 0
  const playwright = [bin('playwright'), 'test', '--reporter=list,json']
  step('e2e (playwright)', needsXvfb ? 'xvfb-run' : playwright[0], needsXvfb ? ['-a', ...playwright] : playwright.slice(1), {
    PLAYWRIGHT_JSON_OUTPUT_NAME: join(reports, 'e2e.json')
  })
}

function counts(file, read) {
  if (!existsSync(file)) return undefined
  try {
    return read(JSON.parse(readFileSync(file, 'utf8')))
  } catch {
    return undefined
  }
}

const vitest = counts(join(reports, 'vitest.json'), (r) => ({
  passed: r.numPassedTests,
  // A test file that fails to load has no failed tests, only a failed suite.
  failed: r.numFailedTests + (r.numFailedTests === 0 ? r.numFailedTestSuites : 0),
  skipped: r.numPendingTests + (r.numTodoTests ?? 0)
}))
const e2e = counts(join(reports, 'e2e.json'), (r) => ({
  passed: r.stats.expected + r.stats.flaky,
  failed: r.stats.unexpected + (r.errors?.length ?? 0),
  skipped: r.stats.skipped
}))

let passed = 0
let failed = 0
let skipped = 0
const parts = []
for (const [name, result] of [
  ['vitest', vitest],
  ['playwright', e2e]
]) {
  if (!result) {
    parts.push(`${name}: no report`) // its failed step is counted below
    continue
  }
  passed += result.passed
  failed += result.failed
  skipped += result.skipped
  parts.push(`${name}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`)
}
// A failing step adds one failure unless its own report already counts one: vitest, for example,
// exits 1 on an unhandled error while its report lists no failed test.
const reported = { 'unit + integration (vitest)': vitest?.failed ?? 0, 'e2e (playwright)': e2e?.failed ?? 0 }
failed += failedSteps.filter((name) => !(reported[name] > 0)).length
// A suite that produced no report although no step failed is a failure too.
if ((!vitest || !e2e) && failedSteps.length === 0) failed++

process.stdout.write(`\n${parts.join(' · ')}${skipped ? ` (skipped tests are not counted as passed)` : ''}\n`)
if (failedSteps.length) process.stdout.write(`failed steps: ${failedSteps.join(', ')}\n`)
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exitCode = failed > 0 || failedSteps.length > 0 || passed === 0 ? 1 : 0
