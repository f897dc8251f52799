/**
 * The model's side of the OOTD recording, WRITTEN BY HAND. No live model was called to make
 * recording.jsonl: these answers were written to be plausible outputs for the prompts the graph
 * sends (see the prompts in recording.jsonl), and `regenerate.ts` plays them through the real
 * `record()` wrapper around a `MockBackend`. They are what a model could say, not what one said.
 *
 * What each call sees (as in bae): the decision sees the user's info and message; the vibe sees the
 * user's info, the weather, the calendar and the location, but not the message (a gate field is
 * never "Input data"); the inferred background and personality see only { name, gender }; the
 * wardrobe sees those three; the recommendation sees only the vibe and the wardrobe. Each answer
 * below uses only what its call could see.
 */
import type { MockScript } from 'cortex'
import type { NodeOf } from 'cortex'
import type { AnticipateUsersDay, GenerateWardrobe, InferUserBackground, InferUserPersonality, RecommendOOTD } from './index'

/** An answer is the JSON the model returns for a node's LM-filled fields (deps, recalls and node-as-deps excluded). */
type Answer<N extends keyof Filled> = Filled[N]
interface Filled {
  AnticipateUsersDay: Pick<NodeOf<typeof AnticipateUsersDay>, 'vibe'>
  InferUserBackground: Pick<NodeOf<typeof InferUserBackground>, 'occupation' | 'income' | 'lifestyle' | 'background'>
  InferUserPersonality: Pick<NodeOf<typeof InferUserPersonality>, 'brief_perspective' | 'brief_vision' | 'brief_goals' | 'brief_dreams' | 'mbti'>
  GenerateWardrobe: Pick<NodeOf<typeof GenerateWardrobe>, 'brief_overall_styling' | 'tops' | 'bottoms' | 'footwear' | 'accessories'>
  RecommendOOTD: Omit<NodeOf<typeof RecommendOOTD>, 'wardrobe'>
}

export const vibe: Answer<'AnticipateUsersDay'> = {
  vibe: {
    mood: 'A full Thursday: an early standup, a client lunch that matters, then the gym. Dzara probably wants to feel put-together for Acme without fighting the rain or the clock.',
    stylometry:
      'Polished-casual and practical: business casual for the client, layered and weatherproof for moderate rain around 11 °C, with nothing that needs fussing over and an easy change for leg day.',
    context_cues:
      'Moderate rain in Seattle, 10-12 °C (feels like 11 °C), 85% humidity, wind around 5 m/s, 90% cloud cover. Standup at 9:00 in Conference Room A (indoor). Client lunch with Acme Corp 12:00-13:30 at Riverside Patio Restaurant, outdoor, "business casual attire". Gym at 17:30, indoor, leg day. Needs a water-resistant outer layer, warmth for a covered patio, shoes that handle wet pavement, and a bag with room for gym clothes.'
  }
}

export const background: Answer<'InferUserBackground'> = {
  occupation: 'Product designer at a mid-sized tech company (a guess: nothing beyond her name and gender is known)',
  income: 'comfortable, mid-career',
  lifestyle: 'Urban and busy: weekday meetings and client work, regular gym sessions, weekends for friends, cafés and the odd trip',
  background: 'Likely university-educated and working in a creative-technical field, living in a large city; values quality basics over trends.'
}

export const personality: Answer<'InferUserPersonality'> = {
  brief_perspective: ['pragmatic optimist', 'notices details others miss', 'prefers doing to talking about doing'],
  brief_vision: ['a career she is proud of without it eating her evenings', 'a calm, well-kept home', 'a close circle of friends'],
  brief_goals: ['lead bigger projects at work', 'stay consistent at the gym', 'build a smaller wardrobe that works harder'],
  brief_dreams: ['start her own studio', 'spend a month working from Lisbon'],
  mbti: 'INTJ'
}

export const wardrobe: Answer<'GenerateWardrobe'> = {
  brief_overall_styling: 'Minimal and polished with a practical streak: neutral colours, good fabrics, one interesting texture or accessory at a time.',
  tops: [
    'cream merino crewneck sweater',
    'black fine-knit turtleneck',
    'white oxford shirt',
    'grey marl long-sleeve tee',
    'navy silk-blend blouse',
    'black performance tank'
  ],
  bottoms: ['charcoal wide-leg wool trousers', 'dark indigo straight-leg jeans', 'black ponte cigarette pants', 'black high-waisted leggings'],
  footwear: ['black leather Chelsea boots with lug soles', 'white leather sneakers', 'tan loafers', 'black running shoes'],
  accessories: [
    'olive waterproof trench coat',
    'camel wool coat',
    'black leather tote bag',
    'small gold hoop earrings',
    'silver watch',
    'compact black umbrella',
    'grey cashmere scarf'
  ]
}

export const recommendation: Answer<'RecommendOOTD'> = {
  overall_vision: 'Rain-proof business casual: warm neutral layers that look sharp at a client lunch and shrug off a wet Seattle day.',
  top: 'cream merino crewneck sweater',
  bottom: 'charcoal wide-leg wool trousers',
  footwear: 'black leather Chelsea boots with lug soles',
  accessories: ['olive waterproof trench coat', 'grey cashmere scarf', 'black leather tote bag', 'small gold hoop earrings', 'compact black umbrella'],
  final_response:
    "Morning! It's a rainy 11 °C in Seattle, so go for the cream merino sweater with your charcoal wide-leg trousers and the black Chelsea boots: polished enough for the Acme lunch, warm enough for the patio, and the lug soles handle wet streets. Throw on the olive trench and grey scarf, grab the umbrella, and pack your gym clothes in the black tote for leg day at 5:30. Gold hoops finish it without any effort.",
  inspo: [
    'https://www.pinterest.com/search/pins/?q=cream%20sweater%20wide%20leg%20trousers%20trench%20coat',
    'https://www.pinterest.com/search/pins/?q=rainy%20day%20business%20casual%20women'
  ]
}

/** The script the MockBackend answers from: the decision, by the node decided from; each fill, by node. */
export const ootdAnswers: MockScript = {
  choose: { IsTheUserGettingDressed: 'AnticipateUsersDay' },
  fill: {
    AnticipateUsersDay: vibe,
    InferUserBackground: background,
    InferUserPersonality: personality,
    GenerateWardrobe: wardrobe,
    RecommendOOTD: recommendation
  }
}
