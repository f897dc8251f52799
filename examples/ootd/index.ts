/**
 * OOTD, "outfit of the day": the reference graph of the original bae project (`examples/ootd.py`),
 * node for node.
 *
 *   IsTheUserGettingDressed ──(LM decides)──▶ AnticipateUsersDay ──▶ RecommendOOTD
 *                          └────────────────▶ No
 *
 * - IsTheUserGettingDressed (start) takes the user's info and what they said (a gate: in the app a
 *   human is asked "what's the occasion?"); the LM decides whether they are getting dressed.
 * - AnticipateUsersDay gets the location, the weather there and today's calendar from deps (location
 *   and calendar concurrently, then the weather, which needs the location), and the LM reads the
 *   day's vibe.
 * - RecommendOOTD needs a wardrobe, a node the LM fills as a dep (GenerateWardrobe), which itself
 *   needs two inferred nodes (InferUserBackground, InferUserPersonality, filled concurrently); all
 *   three recall the user's info from the start node. Node-as-dep fills are not in the trace.
 *
 * Run it offline with the recorded answers (see README.md):
 *   await ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: createLm(ReplayBackend.fromFile('examples/ootd/recording.jsonl')) })
 */
import { z } from 'zod'
import { fileURLToPath } from 'node:url'
import { createLm, gate, graph, node, recall, ReplayBackend, type LanguageModel } from 'cortex'
import { getLocation, getSchedule, getWeather } from './deps'
import { UserInfo, VibeCheck } from './models'

export * from './models'
export { parseIcs } from './ics'
export { FIXTURES, findFixture, getLocation, getSchedule, getWeather } from './deps'

/** A list of short items the LM writes (bae: `list[str]`). */
const items = (description: string) => z.array(z.string()).describe(description)

export const InferUserBackground = node('InferUserBackground', {
  user_info: recall(UserInfo),
  occupation: z.string(),
  income: z.string().describe('a rough bracket, e.g. "comfortable, mid-career"'),
  lifestyle: z.string(),
  background: z.string()
})

export const InferUserPersonality = node('InferUserPersonality', {
  user_info: recall(UserInfo),
  brief_perspective: items('how they see the world, in a few short phrases'),
  brief_vision: items('what they want their life to look like'),
  brief_goals: items('what they are working towards now'),
  brief_dreams: items('what they would love, someday'),
  mbti: z.string().describe('a four-letter MBTI type, e.g. ENFJ')
})

export const GenerateWardrobe = node('GenerateWardrobe', {
  user_info: recall(UserInfo),
  user_career: InferUserBackground,
  user_personality: InferUserPersonality,
  brief_overall_styling: z.string().describe("the person's overall style, in a sentence or two"),
  tops: items('tops they own, each a specific piece (colour, material, cut)'),
  bottoms: items('bottoms they own, each a specific piece'),
  footwear: items('shoes and boots they own'),
  accessories: items('bags, jewellery, outerwear and other accessories they own')
})

export const RecommendOOTD = node('RecommendOOTD', {
  wardrobe: GenerateWardrobe,
  overall_vision: z.string().describe('the idea of the outfit, in a sentence'),
  top: z.string().describe('from the wardrobe'),
  bottom: z.string().describe('from the wardrobe'),
  footwear: z.string().describe('from the wardrobe'),
  accessories: items('from the wardrobe, including outerwear'),
  final_response: z.string().describe('the reply to the user: warm, brief, second person, with the outfit and why it works today'),
  inspo: z.array(z.httpUrl()).describe('links (http or https) to outfit inspiration for this look')
})

export const AnticipateUsersDay = node('AnticipateUsersDay', {
  weather: getWeather,
  schedule: getSchedule,
  location: getLocation,
  vibe: VibeCheck
}).to(() => RecommendOOTD)

/**
 * bae's `No` is `class No(Node): ...`: no fields and no `__call__` override, so it inherited the base
 * `Node.__call__` (return hint `Node | None`), which routed it as "custom" through the v1 `lm.decide`
 * and made bae's graph discovery add the base `Node` class as a successor. None of that was meant:
 * it is a dead end that says "the user is not getting dressed". So here it is modelled as what it
 * means, a terminal node with no fields. It stays a node (rather than `null`, which the LM would see
 * as "stop") so the choice reads as bae's: "Pick one type: AnticipateUsersDay, No". Having no fields
 * to fill, reaching it costs no LM call, and the run ends there.
 */
export const No = node('No', {})

export const IsTheUserGettingDressed = node('IsTheUserGettingDressed', {
  user_info: UserInfo,
  user_message: gate(z.string().default(''), "what's the occasion?")
}).to(() => [AnticipateUsersDay, No])

/** `await ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm })`; `ootd.graph.toMermaid()` draws it. */
export const ootd = graph(IsTheUserGettingDressed)

/**
 * An LM that serves the recorded answers (written by hand; see README.md), so the graph runs offline:
 * `await ootd({ name: 'Dzara', user_message: 'ugh i just got up' }, { lm: recordedLm() })`.
 */
export function recordedLm(): LanguageModel {
  return createLm(ReplayBackend.fromFile(fileURLToPath(new URL('./recording.jsonl', import.meta.url))))
}
