/**
 * The service models of the OOTD example (bae's `examples/ootd.py`): what the location, weather
 * and calendar deps return, plus the two LM-filled value types (VibeCheck, UserInfo).
 *
 * Descriptions on the dep models (GeoLocation, WeatherResult, CalendarResult) are documentation
 * only: dep values reach the LM as JSON in the prompt's "Context:", without their schema. The
 * descriptions on VibeCheck do reach the LM, through the JSON schema of the field it fills.
 */
import { z } from 'zod'

export const GeoLocation = z.object({
  name: z.string(),
  lat: z.number(),
  lon: z.number(),
  country: z.string(),
  state: z.string()
})
export type GeoLocation = z.infer<typeof GeoLocation>

export const WeatherCondition = z.object({ main: z.string(), description: z.string() })
export type WeatherCondition = z.infer<typeof WeatherCondition>

/** Current weather, as bae kept it: temperatures in Kelvin (as OpenWeatherMap reports them by default), wind in m/s, visibility in metres. */
export const WeatherResult = z.object({
  name: z.string(),
  conditions: z.array(WeatherCondition),
  temp: z.number().describe('Kelvin'),
  feels_like: z.number().describe('Kelvin'),
  temp_min: z.number().describe('Kelvin'),
  temp_max: z.number().describe('Kelvin'),
  humidity: z.number().int().describe('percent'),
  wind_speed: z.number().describe('m/s'),
  clouds: z.number().int().describe('cloud cover, percent'),
  visibility: z.number().int().describe('metres')
})
export type WeatherResult = z.infer<typeof WeatherResult>

/** The part of OpenWeatherMap's "current weather" response (`/data/2.5/weather`) the mapper reads; the rest is ignored. */
const OpenWeatherMapCurrent = z.object({
  name: z.string(),
  weather: z.array(z.object({ main: z.string(), description: z.string() })),
  main: z.object({ temp: z.number(), feels_like: z.number(), temp_min: z.number(), temp_max: z.number(), humidity: z.number() }),
  wind: z.object({ speed: z.number() }),
  clouds: z.object({ all: z.number() }),
  visibility: z.number()
})

/** bae's `WeatherResult.from_openweathermap`: `weather[]` → conditions, `main.*`, `wind.speed`, `clouds.all`, `visibility`, `name`. */
export function weatherFromOpenWeatherMap(json: unknown): WeatherResult {
  const parsed = OpenWeatherMapCurrent.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new TypeError(`not an OpenWeatherMap current-weather response: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
  }
  const data = parsed.data
  return {
    name: data.name,
    conditions: data.weather.map(({ main, description }) => ({ main, description })),
    temp: data.main.temp,
    feels_like: data.main.feels_like,
    temp_min: data.main.temp_min,
    temp_max: data.main.temp_max,
    humidity: data.main.humidity,
    wind_speed: data.wind.speed,
    clouds: data.clouds.all,
    visibility: data.visibility
  }
}

export const CalendarEvent = z.object({
  summary: z.string().default(''),
  location: z.string().default(''),
  description: z.string().default(''),
  /** DTSTART as written in the calendar, e.g. `20260205T090000` (no time-zone conversion). */
  start: z.string().default(''),
  /** DTEND as written in the calendar. */
  end: z.string().default(''),
  categories: z.array(z.string()).default([])
})
export type CalendarEvent = z.infer<typeof CalendarEvent>

export const CalendarResult = z.object({ events: z.array(CalendarEvent) })
export type CalendarResult = z.infer<typeof CalendarResult>

/** What the LM reads from the user's day before dressing them (bae: mood, stylometry, context_cues, all strings). */
export const VibeCheck = z.object({
  mood: z.string().describe('how the user is likely feeling about today, in a sentence or two'),
  stylometry: z.string().describe('the style register today calls for: how polished, cozy, practical or bold the outfit should be'),
  context_cues: z.string().describe('the concrete cues from the weather, the schedule and the place that shape what to wear')
})
export type VibeCheck = z.infer<typeof VibeCheck>

export const UserInfo = z.object({
  name: z.string().default('Dzara'),
  gender: z.string().default('woman')
})
export type UserInfo = z.infer<typeof UserInfo>
