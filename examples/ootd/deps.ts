/**
 * The OOTD deps: bae's get_location, get_weather (chained on the location) and get_schedule. Like
 * bae, they read fixtures instead of calling OpenWeather's geocoding and weather APIs or a calendar,
 * so the example runs offline; swapping one for a real API call changes only its function body.
 */
import { readdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dep } from 'cortex'
import { parseIcs } from './ics'
import { CalendarResult, GeoLocation, WeatherResult, weatherFromOpenWeatherMap } from './models'

/** The fixtures folder beside this file: geo/ (OpenWeather geocoding), weather/ (OpenWeatherMap current weather), cal/ (iCalendar). */
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))

/**
 * The fixture file `<name><extension>` in `dir`, matched without regard to case. bae read
 * `weather/{location.name}.json`, i.e. `weather/Seattle.json` for `seattle.json`, which only worked on
 * a case-insensitive file system; this looks the name up in the folder's listing instead. An exact
 * match wins over a case-insensitive one; no match is an error listing what is there.
 */
export async function findFixture(dir: string, name: string, extension: string, signal?: AbortSignal): Promise<string> {
  signal?.throwIfAborted()
  const wanted = `${name}${extension}`.toLowerCase()
  const files = (await readdir(dir)).filter((file) => file.toLowerCase().endsWith(extension.toLowerCase())).sort()
  const match = files.find((file) => file === `${name}${extension}`) ?? files.find((file) => file.toLowerCase() === wanted)
  if (match) return join(dir, match)
  const available = files.map((file) => file.slice(0, file.length - extension.length))
  throw new Error(
    `no ${basename(dir)} fixture for "${name}": looked for ${name}${extension} (any case) in ${dir}; ` +
      (available.length ? `available: ${available.join(', ')}` : `there are no ${extension} files there`)
  )
}

async function readJson(path: string, signal: AbortSignal): Promise<unknown> {
  return JSON.parse(await readFile(path, { encoding: 'utf8', signal })) as unknown
}

/** Where the user is: the first geocoding result for Seattle (bae's get_location). */
export const getLocation = dep(GeoLocation, async function getLocation(_inputs, { signal }) {
  const results = await readJson(join(FIXTURES, 'geo', 'seattle.json'), signal)
  if (!Array.isArray(results) || results.length === 0) throw new Error('geo/seattle.json: expected a non-empty array of geocoding results')
  return GeoLocation.parse(results[0])
})

/** The current weather where the user is (bae's get_weather, chained on get_location). */
export const getWeather = dep(WeatherResult, { location: getLocation }, async function getWeather({ location }, { signal }) {
  const file = await findFixture(join(FIXTURES, 'weather'), location.name, '.json', signal)
  return weatherFromOpenWeatherMap(await readJson(file, signal))
})

/** Today's calendar (bae's get_schedule). Read as bytes, so the parser unfolds lines before decoding UTF-8. */
export const getSchedule = dep(CalendarResult, async function getSchedule(_inputs, { signal }) {
  return parseIcs(await readFile(join(FIXTURES, 'cal', 'today.ics'), { signal }))
})
