import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt } from '../support/built'
import { isGone } from '../support/process'

/** The terminal client as built (the vitest global setup builds first). */
const TERMINAL = resolve('out/main/terminal.js')
const home = mkdtempSync(join(tmpdir(), 'cortex-terminal-'))
// A home of its own, so no test reads or writes the developer's ~/.cortex/history.
const env = { ...process.env, HOME: home, CORTEX_HISTORY: join(home, '.cortex', 'history') } as NodeJS.ProcessEnv
delete env['NO_COLOR']
delete env['CORTEX_DEBUG']

beforeAll(() => {
  assertBuilt()
  if (!existsSync(TERMINAL)) throw new Error(`${TERMINAL} is missing: run \`npm run build\` first`)
})
afterAll(() => rmSync(home, { recursive: true, force: true }))

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the client with `args`, `input` piped on stdin (then closed). */
function cortex(args: string[], input = ''): Promise<Run> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [TERMINAL, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', failed)
    child.on('close', (code) => done({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

function scriptFile(text: string): string {
  const path = join(home, `script-${Math.random().toString(36).slice(2)}.js`)
  writeFileSync(path, text)
  return path
}

describe('cortex in a pipe', () => {
  it('runs each piped line in one namespace and prints each result and the output, plainly', async () => {
    const run = await cortex([], 'const x = 20\nx * 2 + 2\nconsole.log("side effect", { a: 1 })\n"str"\n')
    expect(run).toEqual({ code: 0, stdout: "undefined\n42\nside effect { a: 1 }\nundefined\n'str'\n", stderr: '' })
  })

  it("prints what an input's promise callbacks print, after its result as node -i does, also for the last input", async () => {
    const run = await cortex(
      [],
      'Promise.resolve(1).then((v) => console.log("later", v)); 5\n2 + 2\nPromise.resolve(2).then((v) => console.log("last", v)); 6\n'
    )
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' })
    const lines = run.stdout.trimEnd().split('\n')
    // Lines that arrive together run together, so callbacks print after the later results too.
    expect(lines.filter((line) => !line.startsWith('l'))).toEqual(['5', '4', '6'])
    expect(lines.indexOf('later 1')).toBeGreaterThan(lines.indexOf('5'))
    expect(lines.indexOf('last 2')).toBeGreaterThan(lines.indexOf('6'))
  })

  it('runs an input as soon as its line arrives, before stdin ends', async () => {
    const child = spawn(process.execPath, [TERMINAL], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    const until = async (text: string): Promise<void> => {
      const deadline = Date.now() + 10_000
      while (!stdout.includes(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(stdout)}`)
        await new Promise((r) => setTimeout(r, 10))
      }
    }
    child.stdin.write('let n = 1\n')
    await until('undefined\n')
    child.stdin.write('n + 41\n')
    await until('42\n')
    const closed = new Promise((r) => child.on('close', r))
    child.stdin.end()
    expect(await closed).toBe(0)
    expect(stdout).toBe('undefined\n42\n')
  })

  it('stops at the first error with exit code 1 and the message on stderr', async () => {
    const run = await cortex([], '1 + 1\nnull.boom\n"never runs"\n')
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('2\n')
    expect(run.stderr).toContain("Uncaught TypeError: Cannot read properties of null (reading 'boom')")
    expect(run.stderr).not.toContain('\x1b[')
  })
})

describe('cortex --script', () => {
  it('splits a file into inputs: a line each, joined while an input is incomplete; comments and blank lines skipped', async () => {
    const path = scriptFile(
      [
        '#!/usr/bin/env cortex',
        '// TypeScript is fine',
        'function twice(a: number): number {',
        '  return a * 2',
        '}',
        '',
        'const values = [',
        '  1,',
        '  2',
        ']',
        'values.map(twice).reduce((a, b) => a +',
        '  b)',
        'console.error("to stderr")',
        '`multi',
        'line`'
      ].join('\n')
    )
    const run = await cortex(['--script', path])
    expect(run).toEqual({ code: 0, stdout: "undefined\nundefined\n6\nundefined\n'multi\\nline'\n", stderr: 'to stderr\n' })
  })

  it('exits 1 at the first error, without running the rest', async () => {
    const run = await cortex(['--script', scriptFile('const a = 1\nthrow new Error("boom")\nconsole.log("not reached")\n')])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('undefined\n')
    expect(run.stderr).toMatch(/^Uncaught Error: boom\n/)
  })

  it('--keep-going runs every input and still exits 1 when one failed', async () => {
    const run = await cortex([
      '--script',
      scriptFile('const a = 1\nthrow new Error("boom")\nconsole.log("reached", a)\nsyntax error here\na + 1\n'),
      '--keep-going'
    ])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('undefined\nreached 1\nundefined\n2\n')
    expect(run.stderr).toContain('Uncaught Error: boom')
    expect(run.stderr).toContain('Uncaught SyntaxError')
  })

  it('with --runtime-process, says so and exits 1 when the runtime dies', async () => {
    const run = await cortex(['--runtime-process', '--script', scriptFile('const p = await import("node:process")\np.kill(p.pid, "SIGKILL")\n"not reached"\n')])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('undefined\n')
    expect(run.stderr).toContain('the runtime process ended unexpectedly (it was killed by SIGKILL)')
  })

  it('with --runtime-process, takes its runtime along when it is stopped, even one stuck in a synchronous loop', async () => {
    const child = spawn(process.execPath, [TERMINAL, '--runtime-process'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stdin.write('(await import("node:process")).pid\nwhile (true) {}\n')
    const deadline = Date.now() + 10_000
    while (!/^\d+\n/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    const runtimePid = Number(stdout.trim())
    expect(runtimePid).toBeGreaterThan(0)
    await new Promise((r) => setTimeout(r, 100)) // into the loop
    const exited = new Promise((r) => child.on('exit', (code) => r(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(143)
    const alive = (): boolean => !isGone(runtimePid)
    const gone = Date.now() + 5000
    while (alive() && Date.now() < gone) await new Promise((r) => setTimeout(r, 50))
    expect(alive()).toBe(false)
  })

  it('evaluates in its own process (no runtime process), and with --runtime-process in a child', async () => {
    const pidScript = scriptFile('(await import("node:process")).pid\n')
    /** The client's pid, and the pid its input reports. */
    const pids = async (args: string[]): Promise<[number | undefined, number]> => {
      const child = spawn(process.execPath, [TERMINAL, ...args, '--script', pidScript], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
      expect(await new Promise((r) => child.on('close', r))).toBe(0)
      return [child.pid, Number(stdout.trim())]
    }
    const [client, evaluating] = await pids([])
    expect(evaluating).toBe(client)
    const [clientApart, runtimeApart] = await pids(['--runtime-process'])
    expect(runtimeApart).toBeGreaterThan(0)
    expect(runtimeApart).not.toBe(clientApart)
  })

  it('imports TypeScript files in the pipe mode too (the loader hooks are registered in its process)', async () => {
    const module = join(home, `twice-${Math.random().toString(36).slice(2)}.ts`)
    writeFileSync(module, 'export const twice = (n: number): number => n * 2\n')
    const run = await cortex([], `const { twice } = await import(${JSON.stringify(module)})\ntwice(21)\n`)
    expect(run).toEqual({ code: 0, stdout: 'undefined\n42\n', stderr: '' })
  })

  it('reports an error thrown later by a timer on stderr, and goes on', async () => {
    const child = spawn(process.execPath, [TERMINAL], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.stdin.write('setTimeout(() => { throw new Error("late boom") }, 10); "set"\n')
    const deadline = Date.now() + 10_000
    while (!stderr.includes('late boom') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    child.stdin.end('20 + 22\n')
    expect(await new Promise((r) => child.on('close', r))).toBe(0)
    expect(stderr).toContain('Uncaught Error: late boom')
    expect(stdout).toBe("'set'\n42\n")
  })

  it('Ctrl+C (SIGINT) breaks a synchronous loop in the pipe mode and ends the run with 130; SIGTERM in a loop ends it at once', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const child = spawn(process.execPath, [TERMINAL], { env, stdio: ['pipe', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      child.stdin.write('"looping"\nwhile (true) {}\n"not reached"\n')
      const deadline = Date.now() + 10_000
      while (!stdout.includes('looping') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
      await new Promise((r) => setTimeout(r, 200)) // into the loop
      const exited = new Promise<[number | null, string | null]>((r) => child.on('exit', (code, sig) => r([code, sig])))
      child.kill(signal)
      const [code, killedBy] = await exited
      if (signal === 'SIGINT') {
        expect(code).toBe(130)
        expect(stderr).toContain('interrupted')
      } else {
        // Its SIGTERM handler cannot run inside the loop: the signal's default action ends it.
        expect(killedBy).toBe('SIGTERM')
      }
      expect(stdout).toBe("'looping'\n")
    }
  })

  it('rejects bad arguments and unreadable files with exit code 2', async () => {
    expect(await cortex(['--bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: cortex') })
    expect(await cortex(['--script', join(home, 'missing.js')])).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read') })
  })
})

const python = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0

/**
 * Drives the client in a real pseudo-terminal (python3's pty module, 80 columns unless `columns`):
 * each step waits until the output (ANSI taken out) contains `wait` (`count` times), then types
 * `send`. A small terminal emulator (text, autowrap, CR, LF, cursor up/forward, erase below) keeps
 * the screen, so tests see what a user would: `screens[i]` is the screen when step i's text
 * appeared, `screen` the one at the end (trailing blank lines dropped).
 */
const PTY_DRIVER = resolve('test/support/pty-driver.py')

interface PtyRun {
  output: string
  screen: string[]
  screens: string[][]
  /** Where the cursor was at each step: row relative to the screen's last line, column. */
  cursors: Array<[number, number]>
  code: number | null
  timeout?: string
}

function inPty(steps: Array<{ wait: string; send: string; count?: number }>, columns = 80): PtyRun {
  const result = spawnSync('python3', [PTY_DRIVER, JSON.stringify(steps), process.execPath, TERMINAL, String(columns)], {
    env,
    encoding: 'utf8',
    timeout: 60_000
  })
  if (result.status !== 0) throw new Error(`the pty driver failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as PtyRun
}

describe.skipIf(!python)('cortex in a terminal (a real pseudo-terminal)', () => {
  it(
    'shows the prompt, echoes the typed line, prints output above the prompt without disturbing the line being typed, and exits 0 on Ctrl+D',
    { timeout: 60_000 },
    () => {
      const run = inPty([
        { wait: '› ', send: 'const x = 20\r' },
        { wait: 'undefined', send: 'x * 2 + 2\r' },
        // ("la" + "te": what waits for the output must not find it in the echo of the line.)
        { wait: '42', send: 'setTimeout(() => console.log("la" + "te"), 500); "timer set"\r' },
        { wait: "'timer set'", send: 'partly typed' },
        { wait: 'late', send: '\x15\x04' } // Ctrl+U empties the line, Ctrl+D exits
      ])
      expect(run.timeout).toBeUndefined()
      expect(run.code).toBe(0)
      expect(run.screen).toEqual([
        expect.stringContaining('Cortex'),
        '› const x = 20',
        'undefined',
        '› x * 2 + 2',
        '42',
        '› setTimeout(() => console.log("la" + "te"), 500); "timer set"',
        "'timer set'",
        'late',
        '›'
      ])
      // When the late output arrived, it went above the prompt and the half-typed line stayed.
      expect(run.screens[4]!.slice(-2)).toEqual(['late', '› partly typed'])
      // Typed lines go to the history file, for the next session's Up arrow.
      expect(readFileSync(join(home, '.cortex', 'history'), 'utf8')).toBe(
        'const x = 20\nx * 2 + 2\nsetTimeout(() => console.log("la" + "te"), 500); "timer set"\n'
      )
    }
  )

  it('wraps a line longer than the terminal and keeps output above it intact', { timeout: 60_000 }, () => {
    const long = `"${'a'.repeat(50)}".length + 1`
    const rows = [`› ${long}`.slice(0, 30), `› ${long}`.slice(30, 60), `› ${long}`.slice(60)]
    const exact = `"${'b'.repeat(49)}".length` // 58 characters: with the prompt, 60 = two rows of 30
    const run = inPty(
      [
        { wait: '› ', send: 'setTimeout(() => console.log("ti" + "ck"), 400); "re" + "ady"\r' },
        { wait: "'ready'", send: long },
        { wait: 'tick', send: '\r' },
        // Prompt and line fill two rows exactly: the cursor waits at the margin, and must still land right.
        { wait: '51', send: `${exact}\x1b[D\x1b[D\x1b[DX` },
        { wait: 'lenXgth', send: '\x7f\x1b[F\r' },
        { wait: '49', send: '\x04' }
      ],
      30
    )
    expect(run.timeout).toBeUndefined()
    expect(run.code).toBe(0)
    // The long line takes three rows; the output came above all of them, and then the result.
    expect(run.screens[2]!.slice(-4)).toEqual(['tick', ...rows])
    // Editing in the middle of a wrapped line: the cursor sits after the X (second of three rows, column 28).
    const withX = `› ${exact.slice(0, -3)}X${exact.slice(-3)}`
    expect(run.screens[4]!.slice(-3)).toEqual([withX.slice(0, 30), withX.slice(30, 60), withX.slice(60)])
    expect(run.cursors[4]).toEqual([-1, 28])
    expect(run.screen.slice(-8)).toEqual([...rows, '51', `› ${exact}`.slice(0, 30), `› ${exact}`.slice(30), '49', '›'])
  })

  it('says so and exits 1 when the runtime dies under the prompt', { timeout: 60_000 }, () => {
    const run = inPty([{ wait: '› ', send: 'const p = await import("node:process"); p.kill(p.pid, "SIGKILL")\r' }])
    expect(run.timeout).toBeUndefined()
    expect(run.code).toBe(1)
    expect(run.output).toContain(
      '[the runtime process ended unexpectedly (it was killed by SIGKILL); its namespace is gone; its inputs are in the session store (start cortex again and run store() to see them)]'
    )
  })

  it('continues an input that leaves a bracket open, runs it whole, and Ctrl+R brings it back whole', { timeout: 60_000 }, () => {
    const run = inPty([
      { wait: '› ', send: 'function sixOf() {\r' },
      { wait: '… ', send: '  return 6\r}\r' },
      { wait: 'undefined', send: 'sixOf() * 7\r' },
      { wait: '42', send: '\x12turn 6' },
      { wait: "'turn 6': ", send: '\r' }, // accepted into the editor, not run
      { wait: '› function sixOf() {', count: 2, send: '\x03\x04' }
    ])
    expect(run.timeout).toBeUndefined()
    expect(run.code).toBe(0)
    // The search shows the whole entry, its further lines aligned under the search prompt's end.
    const searchPrompt = "(reverse-i-search)'turn 6': "
    const pad = ' '.repeat(searchPrompt.length - 2)
    expect(run.screens[4]!.slice(-3)).toEqual([`${searchPrompt}function sixOf() {`, `${pad}…   return 6`, `${pad}… }`])
    expect(run.screens[5]!.slice(-3)).toEqual(['› function sixOf() {', '…   return 6', '… }'])
    expect(run.screen.slice(0, 7)).toEqual([
      expect.stringContaining('Cortex'),
      '› function sixOf() {',
      '…   return 6',
      '… }',
      'undefined',
      '› sixOf() * 7',
      '42'
    ])
  })

  it('continues a streamed line on one row above the prompt while a line is typed there', { timeout: 60_000 }, () => {
    const run = inPty([
      { wait: '› ', send: '\x1b[Z\x1b[Z' }, // Shift+Tab twice: js → nl → bash
      { wait: '$ ', send: "printf 'one '; sleep 0.3; printf 'two '; sleep 0.3; printf 'three\\n'\r" },
      { wait: "three\\n'", send: 'abc' },
      { wait: 'one two three', send: '\x15\x04' }
    ])
    expect(run.timeout).toBeUndefined()
    expect(run.code).toBe(0)
    const streamed = run.screen.filter((line) => /\b(one|two|three)\b/.test(line) && !line.startsWith('$'))
    expect(streamed).toEqual([expect.stringMatching(/^\[bash b\d+\] one two three$/)])
    // Typed while the line streamed: the prompt line kept it whole, under the output.
    expect(run.screens[3]!.slice(-2)).toEqual([expect.stringMatching(/^\[bash b\d+\] one two three$/), '$ abc'])
  })

  it('Ctrl+C breaks a synchronous infinite loop and keeps the namespace; Up recalls the history', { timeout: 60_000 }, () => {
    const run = inPty([
      { wait: '› ', send: 'let n = 0\r' },
      { wait: 'undefined', send: 'while (true) { n++ }\r' },
      { wait: '› while (true)', send: '\x03' },
      { wait: 'interrupted', send: 'n > 1000 ? "bi" + "g" : "small"\r' },
      { wait: "'big'", send: '\x1b[A\r' }, // Up recalls the line; Enter runs it again
      { wait: "'big'", count: 2, send: '\x04' }
    ])
    expect(run.timeout).toBeUndefined()
    expect(run.code).toBe(0)
    expect(run.screen.slice(-8)).toEqual([
      '› while (true) { n++ }',
      '^C: cancelling',
      'interrupted (Ctrl+C); the namespace is intact',
      '› n > 1000 ? "bi" + "g" : "small"',
      "'big'",
      '› n > 1000 ? "bi" + "g" : "small"',
      "'big'",
      '›'
    ])
  })
})
