import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ootdAnswers, background, personality, recommendation, vibe, wardrobe } from '../../examples/ootd/answers'
import {
  AnticipateUsersDay,
  FIXTURES,
  findFixture,
  getLocation,
  IsTheUserGettingDressed,
  No,
  ootd,
  parseIcs,
  RecommendOOTD,
  weatherFromOpenWeatherMap
} from '../../examples/ootd'
import { parseContentLine, unfoldIcs, unescapeIcsText } from '../../examples/ootd/ics'
import { freshRecording, OOTD_INPUTS, RECORDING, regenerateRecording } from '../../examples/ootd/regenerate'
import { DepError, nodeOf, type NodeInstance } from '../../src/runtime/graph'
import { createLm, MockBackend, parseRecording, ReplayBackend, type LmBackend } from '../../src/runtime/lm'
import { promptSections as sections, recordingDrift } from './support'

const names = (trace: readonly NodeInstance[]) => trace.map((n) => nodeOf(n)!.name)

/** Logs when each model call starts and ends, by node. */
function tracking(inner: LmBackend, log: string[]): LmBackend {
  return {
    provider: inner.provider,
    model: inner.model,
    async generate(request) {
      log.push(`start ${request.node}`)
      try {
        return await inner.generate(request)
      } finally {
        log.push(`end ${request.node}`)
      }
    }
  }
}

const dzara = { name: 'Dzara', gender: 'woman' }

describe('the OOTD example', () => {
  it('runs offline from the recording: the trace, the deps read from the fixtures, the recommendation', async () => {
    const lm = createLm(ReplayBackend.fromFile(RECORDING))
    const result = await ootd(OOTD_INPUTS, { lm })

    expect(names(result.trace)).toEqual(['IsTheUserGettingDressed', 'AnticipateUsersDay', 'RecommendOOTD'])
    expect(result.trace[0]).toEqual({ user_info: dzara, user_message: 'ugh i just got up' })

    const day = result.find(AnticipateUsersDay)!
    expect(day.location).toEqual({ name: 'Seattle', lat: 47.6062, lon: -122.3321, country: 'US', state: 'Washington' })
    expect(day.weather).toEqual({
      name: 'Seattle',
      conditions: [{ main: 'Rain', description: 'moderate rain' }],
      temp: 284.26,
      feels_like: 283.74,
      temp_min: 283.15,
      temp_max: 285.37,
      humidity: 85,
      wind_speed: 5.36,
      clouds: 90,
      visibility: 8000
    })
    expect(day.schedule.events.map((e) => e.summary)).toEqual(['Team standup', 'Client lunch - Acme Corp', 'Gym session'])
    expect(day.vibe).toEqual(vibe.vibe)

    const outfit = result.find(RecommendOOTD)!
    expect(result.result).toBe(outfit)
    const { wardrobe: ownWardrobe, ...filled } = outfit
    expect(filled).toEqual(recommendation)
    expect(outfit.inspo.every((url) => url.startsWith('https://'))).toBe(true)
    // The wardrobe is a node filled as a dep, with its own node-as-deps inside; none of them is in the trace.
    const { user_career, user_personality, user_info, ...ownFields } = ownWardrobe
    expect(ownFields).toEqual(wardrobe)
    expect(user_info).toEqual(dzara)
    expect(user_career).toEqual({ user_info: dzara, ...background })
    expect(user_personality).toEqual({ user_info: dzara, ...personality })

    // One decision and five fills, all from the recording.
    expect(lm.usage.calls).toBe(6)
  })

  it('keeps its recording up to date with the prompts (CORTEX_REGENERATE=1 rewrites it)', async () => {
    if (process.env['CORTEX_REGENERATE'] === '1') await regenerateRecording()
    const fresh = await freshRecording()
    const onDisk = await readFile(RECORDING, 'utf8')
    const drift = recordingDrift(onDisk, fresh)
    if (drift)
      expect.fail(
        `examples/ootd/recording.jsonl is out of date (${drift}). Regenerate it: ` +
          'CORTEX_REGENERATE=1 CORTEX_SKIP_BUILD=1 npx vitest run test/examples/ootd.test.ts (see examples/ootd/README.md)'
      )
    expect(onDisk).toBe(fresh)
  })

  it("records bae's prompt shape: Input data, then Context, then the node name; gate fields stay out of Input data", async () => {
    const calls = parseRecording(await readFile(RECORDING, 'utf8'), RECORDING)
    // Completion order; the two inferred nodes run concurrently, before the wardrobe.
    expect(calls.map((c) => `${c.kind} ${c.node}`)).toEqual([
      'choose IsTheUserGettingDressed',
      'fill AnticipateUsersDay',
      'fill InferUserBackground',
      'fill InferUserPersonality',
      'fill GenerateWardrobe',
      'fill RecommendOOTD'
    ])
    // Hand-written answers, played through MockBackend: the recording says so.
    expect(new Set(calls.map((c) => c.model))).toEqual(new Set(['mock']))
    const prompt = (node: string) => calls.find((c) => c.node === node && c.kind === 'fill')!.prompt

    // The decision sees every field of the start node, the gate included.
    const choose = calls[0]!
    expect(JSON.parse(choose.prompt.split('\n\nPick one type:')[0]!)).toEqual({ context: { user_info: dzara, user_message: 'ugh i just got up' } })
    expect(choose.prompt.endsWith('\n\nPick one type: AnticipateUsersDay, No')).toBe(true)
    expect(choose.output).toEqual({ choice: 'AnticipateUsersDay' })

    const day = sections(prompt('AnticipateUsersDay'))
    expect(day.order).toEqual(['Input data:', 'Context:', 'AnticipateUsersDay'])
    expect(day.input).toEqual({ user_info: dzara }) // not user_message: a gate
    expect(prompt('AnticipateUsersDay')).not.toContain('ugh i just got up')
    expect(Object.keys(day.context as object)).toEqual(['weather', 'schedule', 'location'])

    for (const node of ['InferUserBackground', 'InferUserPersonality']) {
      const inferred = sections(prompt(node))
      expect(inferred.order).toEqual(['Context:', node]) // a node-as-dep has no source node
      expect(inferred.context).toEqual({ user_info: dzara })
    }

    const wardrobePrompt = sections(prompt('GenerateWardrobe'))
    expect(wardrobePrompt.order).toEqual(['Context:', 'GenerateWardrobe'])
    // Node-as-dep values appear as their LM-filled fields only (no recalled user_info inside them).
    expect(wardrobePrompt.context).toEqual({ user_info: dzara, user_career: background, user_personality: personality })

    const outfit = sections(prompt('RecommendOOTD'))
    expect(outfit.order).toEqual(['Input data:', 'Context:', 'RecommendOOTD'])
    expect(outfit.input).toEqual(vibe) // AnticipateUsersDay's only plain field; its deps stay out
    expect(outfit.context).toEqual({ wardrobe })
  })

  it('fills InferUserBackground and InferUserPersonality concurrently, then the wardrobe from both', async () => {
    const log: string[] = []
    const backend = tracking(new MockBackend({ ...ootdAnswers, delayMs: 20 }), log)
    await ootd(OOTD_INPUTS, { lm: createLm(backend) })
    const at = (event: string) => {
      expect(log).toContain(event)
      return log.indexOf(event)
    }
    // Each started before the other ended: both were in flight at once.
    expect(at('start InferUserPersonality')).toBeLessThan(at('end InferUserBackground'))
    expect(at('start InferUserBackground')).toBeLessThan(at('end InferUserPersonality'))
    expect(at('start GenerateWardrobe')).toBeGreaterThan(Math.max(at('end InferUserBackground'), at('end InferUserPersonality')))
    expect(at('start RecommendOOTD')).toBeGreaterThan(at('end GenerateWardrobe'))
  })

  it('ends at No when the LM decides the user is not getting dressed: no deps, no fill', async () => {
    const backend = new MockBackend({ choose: { IsTheUserGettingDressed: 'No' } })
    const result = await ootd({ name: 'Dzara', user_message: 'what time is it in Tokyo?' }, { lm: createLm(backend) })
    expect(names(result.trace)).toEqual(['IsTheUserGettingDressed', 'No'])
    expect(result.find(No)).toEqual({})
    expect(backend.requests.map((r) => `${r.kind} ${r.node}`)).toEqual(['choose IsTheUserGettingDressed'])
  })

  it('takes user_info flattened or whole, with bae defaults, and asks the gate through a hook when one is given', async () => {
    const lm = createLm(new MockBackend({ choose: { IsTheUserGettingDressed: 'No' } }))
    const whole = await ootd({ user_info: { name: 'Sam', gender: 'man' } }, { lm })
    expect(whole.find(IsTheUserGettingDressed)).toEqual({ user_info: { name: 'Sam', gender: 'man' }, user_message: '' })
    const asked: string[] = []
    const gated = await ootd(
      { name: 'Dzara' },
      {
        lm,
        gate: async ({ node, fields }) => {
          asked.push(`${node}: ${fields.map((f) => `${f.name} (${f.description})`).join(', ')}`)
          return { user_message: 'a wedding' }
        }
      }
    )
    expect(asked).toEqual(["IsTheUserGettingDressed: user_message (what's the occasion?)"])
    expect(gated.find(IsTheUserGettingDressed)).toEqual({ user_info: dzara, user_message: 'a wedding' })
  })

  it('draws like bae: the decision as two edges, terminal nodes as circles', () => {
    expect(ootd.graph.toMermaid()).toBe(
      [
        'graph TD',
        '  IsTheUserGettingDressed --> AnticipateUsersDay',
        '  IsTheUserGettingDressed --> No',
        '  AnticipateUsersDay --> RecommendOOTD',
        '  No((No))',
        '  RecommendOOTD((RecommendOOTD))'
      ].join('\n')
    )
    expect(ootd.graph.inputs).toEqual(['user_info'])
    expect(ootd.graph.terminals.map((n) => n.name)).toEqual(['No', 'RecommendOOTD'])
    expect(ootd.graph.validate()).toEqual([])
    expect(ootd.name).toBe('IsTheUserGettingDressed')
  })
})

describe('the weather fixtures', () => {
  const weatherDir = join(FIXTURES, 'weather')

  it('are found whatever the case of the location name (bae relied on a case-insensitive file system)', async () => {
    expect(await findFixture(weatherDir, 'Seattle', '.json')).toBe(join(weatherDir, 'seattle.json'))
    expect(await findFixture(weatherDir, 'PHOENIX', '.json')).toBe(join(weatherDir, 'phoenix.json'))

    const dir = await mkdtemp(join(tmpdir(), 'cortex-fixtures-'))
    try {
      await writeFile(join(dir, 'Tacoma.JSON'), '{}')
      expect(await findFixture(dir, 'tacoma', '.json')).toBe(join(dir, 'Tacoma.JSON'))
      await expect(findFixture(dir, 'Olympia', '.ics')).rejects.toThrow(`no ${dir.split('/').at(-1)} fixture for "Olympia"`)
      await expect(findFixture(dir, 'Olympia', '.ics')).rejects.toThrow('there are no .ics files there')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('name the available locations when none matches', async () => {
    await expect(findFixture(weatherDir, 'Tacoma', '.json')).rejects.toThrow(
      `no weather fixture for "Tacoma": looked for Tacoma.json (any case) in ${weatherDir}; available: phoenix, portland, seattle`
    )
  })

  it('fail the run with a DepError naming the dep, the node and the available fixtures', async () => {
    const tacoma = { name: 'Tacoma', lat: 47.2529, lon: -122.4443, country: 'US', state: 'Washington' }
    const lm = createLm(new MockBackend({ choose: { IsTheUserGettingDressed: 'AnticipateUsersDay' } }))
    const error = await ootd(OOTD_INPUTS, { lm, depCache: new Map([[getLocation, tacoma]]) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DepError)
    expect((error as DepError).dep).toBe('getWeather')
    expect((error as Error).message).toContain('getWeather failed on AnticipateUsersDay: no weather fixture for "Tacoma"')
    expect((error as Error).message).toContain('available: phoenix, portland, seattle')
  })

  it('map from the OpenWeatherMap format', async () => {
    const portland = JSON.parse(await readFile(join(weatherDir, 'portland.json'), 'utf8')) as unknown
    expect(weatherFromOpenWeatherMap(portland)).toEqual({
      name: 'Portland',
      conditions: [{ main: 'Clouds', description: 'broken clouds' }],
      temp: 293.15,
      feels_like: 292.5,
      temp_min: 291.15,
      temp_max: 295.15,
      humidity: 50,
      wind_speed: 3.58,
      clouds: 75,
      visibility: 10000
    })
    const twoConditions = {
      name: 'Phoenix',
      weather: [
        { id: 800, main: 'Clear', description: 'clear sky', icon: '01d' },
        { id: 731, main: 'Dust', description: 'sand/dust whirls', icon: '50d' }
      ],
      main: { temp: 308.15, feels_like: 307.5, temp_min: 306.15, temp_max: 310.15, pressure: 1008, humidity: 15 },
      wind: { speed: 2.24, deg: 90 },
      clouds: { all: 0 },
      visibility: 10000,
      cod: 200
    }
    expect(weatherFromOpenWeatherMap(twoConditions).conditions).toEqual([
      { main: 'Clear', description: 'clear sky' },
      { main: 'Dust', description: 'sand/dust whirls' }
    ])
    expect(() => weatherFromOpenWeatherMap({ ...twoConditions, main: { ...twoConditions.main, temp: 'hot' } })).toThrow(
      'not an OpenWeatherMap current-weather response: main.temp:'
    )
    expect(() => weatherFromOpenWeatherMap([])).toThrow('not an OpenWeatherMap current-weather response: (root):')
  })
})

describe('parseIcs', () => {
  it("reads the example's calendar", async () => {
    const calendar = parseIcs(await readFile(join(FIXTURES, 'cal', 'today.ics')))
    expect(calendar.events).toEqual([
      {
        summary: 'Team standup',
        location: 'Conference Room A (Indoor)',
        description: 'Daily sync with engineering team',
        start: '20260205T090000',
        end: '20260205T091500',
        categories: ['MEETING', 'WORK']
      },
      {
        summary: 'Client lunch - Acme Corp',
        location: 'Riverside Patio Restaurant (Outdoor)',
        description: 'Q1 planning discussion with Acme team. Business casual attire.',
        start: '20260205T120000',
        end: '20260205T133000',
        categories: ['MEETING', 'CLIENT', 'BUSINESS']
      },
      {
        summary: 'Gym session',
        location: 'Downtown Fitness (Indoor)',
        description: 'Leg day',
        start: '20260205T173000',
        end: '20260205T183000',
        categories: ['PERSONAL', 'FITNESS']
      }
    ])
  })

  it('unfolds folded lines, reads parameters, unescapes text and splits categories', () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'X-WR-CALNAME:Work',
      'DESCRIPTION:the calendar itself, not an event',
      'BEGIN:VEVENT',
      'SUMMARY:Design review\\, round 2\\; bring notes',
      'DTSTART;TZID=America/Los_Angeles:20260205T090000',
      'DTEND;VALUE=DATE-TIME;TZID="America/Los_Angeles":20260205T100000',
      'LOCATION;ALTREP="https://maps.example.com/?q=a:b;c,d":Room 4\\, 2nd floor',
      'DESCRIPTION;LANGUAGE=en:Agenda:\\n1. layout\\n2. colours\\N3. the back',
      ' slash \\\\ stays one. This line is long enough that a calendar app woul',
      '\td fold it, mid-word.',
      'categories:MEETING,Design\\, UX',
      'CATEGORIES:  WORK ,,',
      'X-UNKNOWN;FOO=bar:ignored',
      'a line without a colon',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:Reminder (the alarm, not the event)',
      'END:VALARM',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'SUMMARY:All day',
      'DTSTART;VALUE=DATE:20260206',
      'END:VEVENT',
      'END:VCALENDAR'
    ].join('\r\n')
    expect(parseIcs(ics).events).toEqual([
      {
        summary: 'Design review, round 2; bring notes',
        location: 'Room 4, 2nd floor',
        description: 'Agenda:\n1. layout\n2. colours\n3. the backslash \\ stays one. This line is long enough that a calendar app would fold it, mid-word.',
        start: '20260205T090000',
        end: '20260205T100000',
        categories: ['MEETING', 'Design, UX', 'WORK']
      },
      { summary: 'All day', location: '', description: '', start: '20260206', end: '', categories: [] }
    ])
    // LF-only files, and folds inside a folded line, read the same.
    expect(parseIcs(ics.replaceAll('\r\n', '\n'))).toEqual(parseIcs(ics))
    expect(unfoldIcs('SUMMARY:a\r\n b\r\n  c\n\td')).toEqual(['SUMMARY:ab cd'])
  })

  it('unfolds raw bytes before decoding, so a character split across a fold survives', () => {
    const head = Buffer.from('BEGIN:VEVENT\r\nSUMMARY:Caf')
    const e = Buffer.from('é') // two bytes in UTF-8
    const bytes = Buffer.concat([head, e.subarray(0, 1), Buffer.from('\r\n '), e.subarray(1), Buffer.from(' crème\r\nEND:VEVENT\r\n')])
    expect(parseIcs(bytes).events[0]!.summary).toBe('Café crème')
    expect(parseIcs(bytes.toString('utf8')).events[0]!.summary).not.toBe('Café crème') // decoding first breaks it
  })

  it('parses content lines: names upper-cased, quoted and multiple parameter values, the value after the first unquoted colon', () => {
    expect(parseContentLine('attendee;ROLE=REQ-PARTICIPANT;DELEGATED-FROM="mailto:a@x.org","mailto:b@x.org":mailto:c@x.org')).toEqual({
      name: 'ATTENDEE',
      params: { ROLE: ['REQ-PARTICIPANT'], 'DELEGATED-FROM': ['mailto:a@x.org', 'mailto:b@x.org'] },
      value: 'mailto:c@x.org'
    })
    expect(parseContentLine('URL:https://example.com:8080/x')).toEqual({ name: 'URL', params: {}, value: 'https://example.com:8080/x' })
    expect(parseContentLine('SUMMARY:')).toEqual({ name: 'SUMMARY', params: {}, value: '' })
    for (const bad of ['no colon', ':starts with a colon', 'X;BROKEN:value', 'X;Q="unclosed:value']) expect(parseContentLine(bad)).toBeUndefined()
    expect(unescapeIcsText('a\\,b\\;c\\\\n\\nd\\x')).toBe('a,b;c\\n\nd\\x')
  })
})
