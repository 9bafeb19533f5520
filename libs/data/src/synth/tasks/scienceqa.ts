import type { Rng } from '@coin/core';
import { placeObjects, randomBackground, renderScene, type Scene } from '../scene.js';
import { COLOUR_MIXES, OBJECT_CLASSES, type Category, type ObjectClass } from '../world.js';
import { article, describeScene } from '../describe.js';
import { idOffset, type GenContext, type SynthItem } from './types.js';

/**
 * ScienceQA-like multiple choice (A–E) about the world's facts: living things, categories,
 * habitats, colour mixing. About 40% of the items are text-only (no image), as in ScienceQA.
 * The answer is the option letter; problems.json keeps the 0-based answer index.
 */
const LETTERS = 'ABCDE';

interface Question {
  question: string;
  hint: string;
  choices: string[];
  answer: number;
  topic: string;
  category: string;
  lecture: string;
  scene?: Scene;
}

function withAnswer(
  rng: Rng,
  correct: string,
  wrong: readonly string[],
  maxOptions: number,
): { choices: string[]; answer: number } {
  const k = Math.min(wrong.length, 1 + rng.int(maxOptions - 1));
  const choices = rng.shuffle([correct, ...rng.sample(wrong, k)]);
  return { choices, answer: choices.indexOf(correct) };
}

function livingInImage(ctx: GenContext): Question | undefined {
  const { rng } = ctx;
  const living = rng.pick(OBJECT_CLASSES.filter((c) => c.living));
  const others = rng.sample(
    OBJECT_CLASSES.filter((c) => !c.living),
    1 + rng.int(3),
  );
  const objects = placeObjects(
    rng,
    ctx.imageSize,
    ctx.imageSize,
    rng.shuffle([living, ...others]).map((cls) => ({ cls, size: 'small' as const })),
  );
  if (!objects) return undefined;
  const choices = rng.shuffle([living, ...others].map((c) => c.name));
  return {
    question: 'Which object in the picture is a living thing?',
    hint: rng.chance(0.5)
      ? 'Living things grow, need food and water, and can make more living things like themselves.'
      : '',
    choices,
    answer: choices.indexOf(living.name),
    topic: 'biology',
    category: 'Identify living and nonliving things',
    lecture: 'Plants and animals are living things. Cars, tools and shapes are not alive.',
    scene: { width: ctx.imageSize, height: ctx.imageSize, background: randomBackground(rng), objects },
  };
}

const CATEGORY_WORDS: Readonly<Record<Category, string>> = {
  animal: 'an animal',
  plant: 'a plant',
  vehicle: 'a vehicle',
  food: 'a food',
  building: 'a building',
  tool: 'a tool',
  shape: 'a shape',
};

function categoryOfPictured(ctx: GenContext): Question | undefined {
  const { rng } = ctx;
  const cls = rng.pick(OBJECT_CLASSES);
  const objects = placeObjects(rng, ctx.imageSize, ctx.imageSize, [{ cls, size: 'large' }]);
  if (!objects) return undefined;
  const wrong = Object.values(CATEGORY_WORDS).filter((w) => w !== CATEGORY_WORDS[cls.category]);
  return {
    question: 'What is the thing shown in the picture?',
    hint: '',
    ...withAnswer(rng, CATEGORY_WORDS[cls.category], wrong, 4),
    topic: 'classification',
    category: 'Classify objects',
    lecture: 'Things can be sorted into groups such as animals, plants, vehicles and tools.',
    scene: { width: ctx.imageSize, height: ctx.imageSize, background: randomBackground(rng), objects },
  };
}

function whichIsCategory(ctx: GenContext): Question {
  const { rng } = ctx;
  const target = rng.pick(OBJECT_CLASSES);
  const wrong = OBJECT_CLASSES.filter((c) => c.category !== target.category).map((c) => c.name);
  return {
    question: `Which of these is ${CATEGORY_WORDS[target.category]}?`,
    hint: '',
    ...withAnswer(rng, target.name, wrong, 5),
    topic: 'classification',
    category: 'Classify objects',
    lecture: 'Things can be sorted into groups such as animals, plants, vehicles and tools.',
  };
}

const HABITAT_PHRASE = { land: 'on land', water: 'in water', air: 'in the air' } as const;

function habitat(ctx: GenContext): Question | undefined {
  const { rng } = ctx;
  const animals = OBJECT_CLASSES.filter(
    (c): c is ObjectClass & { habitat: 'land' | 'water' | 'air' } => c.category === 'animal' && c.habitat !== 'none',
  );
  const target = rng.pick(animals);
  const choices = rng.shuffle(Object.values(HABITAT_PHRASE));
  const answer = choices.indexOf(HABITAT_PHRASE[target.habitat]);
  if (rng.chance(0.5)) {
    const objects = placeObjects(rng, ctx.imageSize, ctx.imageSize, [{ cls: target, size: 'large' }]);
    if (!objects) return undefined;
    return {
      question: 'Where does the animal in the picture live?',
      hint: '',
      choices,
      answer,
      topic: 'biology',
      category: 'Animal habitats',
      lecture: 'A habitat is the place where an animal lives. Fish live in water; birds fly in the air.',
      scene: { width: ctx.imageSize, height: ctx.imageSize, background: randomBackground(rng), objects },
    };
  }
  return {
    question: `Where does ${article(target.name)} live?`,
    hint: '',
    choices,
    answer,
    topic: 'biology',
    category: 'Animal habitats',
    lecture: 'A habitat is the place where an animal lives. Fish live in water; birds fly in the air.',
  };
}

function colourMix(ctx: GenContext): Question {
  const { rng } = ctx;
  const [a, b, result] = rng.pick(COLOUR_MIXES);
  const wrong = ['red', 'blue', 'yellow', 'green', 'orange', 'purple', 'pink', 'brown', 'black'].filter(
    (c) => c !== result && c !== a && c !== b,
  );
  return {
    question: `What colour do you get when you mix ${a} paint and ${b} paint?`,
    hint: 'Mixing two paints makes a new colour.',
    ...withAnswer(rng, result, wrong, 4),
    topic: 'physics',
    category: 'Mixing colours',
    lecture: 'Red and yellow make orange, blue and yellow make green, red and blue make purple.',
  };
}

function makeQuestion(ctx: GenContext): Question {
  for (;;) {
    const r = ctx.rng.next();
    // ≈ 60% with an image, 40% text-only.
    const q =
      r < 0.25
        ? livingInImage(ctx)
        : r < 0.45
          ? categoryOfPictured(ctx)
          : r < 0.6
            ? habitat(ctx)
            : r < 0.8
              ? whichIsCategory(ctx)
              : colourMix(ctx);
    if (q) return q;
  }
}

export function generateScienceQA(ctx: GenContext): SynthItem {
  const q = makeQuestion(ctx);
  const pid = String(idOffset(ctx.split) + ctx.index);
  const lines = [q.question];
  if (q.hint) lines.push(`Context: ${q.hint}`);
  q.choices.forEach((c, i) => lines.push(`${LETTERS[i]}. ${c}`));
  const scene = q.scene;
  return {
    id: pid,
    imagePath: scene ? `ScienceQA/${ctx.split}/${pid}/image.png` : undefined,
    renderImage: scene ? () => renderScene(scene) : undefined,
    prompt: lines.join('\n'),
    answer: LETTERS[q.answer],
    caption: q.scene ? `A drawing with ${describeScene(q.scene)}.` : undefined,
    official: {
      question: q.question,
      choices: q.choices,
      answer: q.answer,
      hint: q.hint,
      image: q.scene ? 'image.png' : null,
      task: 'closed choice',
      grade: 'grade2',
      subject: 'natural science',
      topic: q.topic,
      category: q.category,
      skill: q.category.toLowerCase(),
      lecture: q.lecture,
      solution: `The answer is ${q.choices[q.answer]}.`,
      split: ctx.split,
    },
  };
}
