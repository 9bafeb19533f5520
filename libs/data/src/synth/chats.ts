import { Rng } from '@coin/core';
import { article } from './describe.js';
import { COLOUR_MIXES, COLOURS, GENRES, OBJECT_CLASSES } from './world.js';

/** One text-only chat round of the pretraining corpus: a user's message and the assistant's reply. */
export interface WorldChat {
  readonly prompt: string;
  readonly reply: string;
}

const CATEGORY_WORDS: Readonly<Record<string, string>> = {
  animal: 'an animal',
  plant: 'a plant',
  food: 'a kind of food',
  vehicle: 'a vehicle',
  building: 'a building',
  tool: 'a tool',
  shape: 'a shape',
};
const LETTERS = ['A', 'B', 'C', 'D', 'E', 'F'];
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

const capital = (s: string) => s[0].toUpperCase() + s.slice(1);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];
const twoDigits = (rng: Rng) => (rng.int(100) / 100).toFixed(2);

/**
 * The language half of the base's pretraining (docs/protocol.md#the-base-model): text-only chat
 * rounds about the world, the small model's stand-in for the chat LLM LLaVA starts from (Vicuna
 * knows how a reply ends and the everyday words replies are made of: yes and no, numbers, letters,
 * colours, capitalised names, lists of decimals). No image, and none of CoIN's task instructions:
 * the base learns the words and the turn-taking, not a task's answer format or what an image shows.
 */
export function worldChats(seed: number, count: number): WorldChat[] {
  const rng = Rng.for(seed, 'pretrain-chats');
  const families: Array<() => WorldChat> = [
    () => {
      const c = pick(rng, OBJECT_CLASSES);
      const asked = pick(rng, Object.keys(CATEGORY_WORDS));
      const yes = asked === c.category;
      const lower = rng.chance(0.5);
      const word = yes ? 'yes' : 'no';
      return {
        prompt: `Is ${article(c.name)} ${CATEGORY_WORDS[asked]}?`,
        reply: lower ? word : `${capital(word)}, ${article(c.name)} is ${CATEGORY_WORDS[c.category]}.`,
      };
    },
    () => {
      const c = pick(rng, OBJECT_CLASSES);
      const word = c.living ? 'yes' : 'no';
      return { prompt: `Is ${article(c.name)} a living thing?`, reply: rng.chance(0.5) ? word : capital(word) };
    },
    () => {
      const n = rng.int(7);
      const c = pick(rng, OBJECT_CLASSES);
      const others = OBJECT_CLASSES.filter((o) => o !== c);
      const list = [
        ...Array.from({ length: n }, () => c.name),
        ...Array.from({ length: 1 + rng.int(3) }, () => pick(rng, others).name),
      ];
      const shuffled = list
        .map((x) => [rng.next(), x] as const)
        .sort((a, b) => a[0] - b[0])
        .map((x) => x[1]);
      return { prompt: `How many times does the word ${c.name} appear in: ${shuffled.join(', ')}?`, reply: String(n) };
    },
    () => {
      const n = rng.int(10);
      return rng.chance(0.5)
        ? { prompt: `Write the number ${NUMBER_WORDS[n]} in digits.`, reply: String(n) }
        : { prompt: `What is ${n} plus one?`, reply: String(n + 1) };
    },
    () => {
      const i = rng.int(LETTERS.length - 1);
      return { prompt: `Which letter comes after ${LETTERS[i]} in the alphabet?`, reply: LETTERS[i + 1] };
    },
    () => {
      const c = pick(rng, OBJECT_CLASSES);
      return { prompt: `Write the word "${c.name}" with a capital first letter.`, reply: capital(c.name) };
    },
    () => {
      const [a, b, result] = pick(rng, COLOUR_MIXES);
      return { prompt: `Which colour do ${a} and ${b} paint make together?`, reply: result };
    },
    () => {
      const colour = pick(rng, COLOURS).name;
      const c = pick(rng, OBJECT_CLASSES);
      return { prompt: `In the phrase "a ${colour} ${c.name}", which word is the colour?`, reply: colour };
    },
    () => {
      const side = pick(rng, ['left', 'right']);
      return rng.chance(0.5)
        ? { prompt: `What is the opposite of ${side}?`, reply: side === 'left' ? 'right' : 'left' }
        : { prompt: 'What do you call the part between left and right?', reply: 'middle' };
    },
    () => {
      const xs = Array.from({ length: 4 }, () => twoDigits(rng));
      return rng.chance(0.5)
        ? {
            prompt: `Put the numbers ${xs.slice(0, 3).join(', ')} and ${xs[3]} in square brackets.`,
            reply: `[${xs.join(', ')}]`,
          }
        : { prompt: `Write ${xs[0]} with two decimal places.`, reply: xs[0] };
    },
    () => {
      const g = pick(rng, GENRES);
      const icon = pick(rng, g.icons);
      return { prompt: `Where are books about ${icon === 'fish' ? icon : `${icon}s`} shelved?`, reply: g.name };
    },
  ];
  return Array.from({ length: count }, (_, i) => families[i % families.length]());
}

/** Plain sentences that name words the chats leave out (VizWiz's answer for what cannot be seen). */
export const LANGUAGE_FACTS: readonly string[] = [
  'When a question about a picture cannot be answered from what it shows, the answer is unanswerable.',
];
