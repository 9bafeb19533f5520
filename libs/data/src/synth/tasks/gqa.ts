import { placeObjects, randomBackground, renderScene, type PlacedObject, type Scene } from '../scene.js';
import { OBJECT_CLASSES } from '../world.js';
import { article, centreX, describeScene } from '../describe.js';
import { pad, type GenContext, type SynthItem } from './types.js';

/**
 * GQA-like compositional and spatial questions over scenes of 2–3 distinct classes. Each question
 * carries GQA's annotation fields (structural/semantic types, global group, semantic program) so
 * the official testdev_balanced_questions.json can be written and scored as the real one.
 */
type Structural = 'verify' | 'query' | 'choose' | 'logical' | 'compare';
type Semantic = 'rel' | 'attr' | 'obj' | 'cat';

interface Q {
  question: string;
  answer: string;
  fullAnswer: string;
  structural: Structural;
  semantic: Semantic;
  detailed: string;
  global: string | null;
  program: Array<{ operation: string; argument: string }>;
}

const leftOf = (a: PlacedObject, b: PlacedObject): boolean => centreX(a) < centreX(b);
const select = (o: PlacedObject): { operation: string; argument: string } => ({
  operation: 'select',
  argument: o.cls.name,
});

function ask(ctx: GenContext, scene: Scene): Q {
  const { rng } = ctx;
  const [a, b] = rng.sample(scene.objects, 2);
  const kind = rng.int(7);
  switch (kind) {
    case 0: {
      const yes = leftOf(a, b);
      const relation = rng.chance(0.5) ? 'left' : 'right';
      const truth = relation === 'left' ? yes : !yes;
      return {
        question: `Is the ${a.cls.name} to the ${relation} of the ${b.cls.name}?`,
        answer: truth ? 'yes' : 'no',
        fullAnswer: `${truth ? 'Yes' : 'No'}, the ${a.cls.name} is to the ${leftOf(a, b) ? 'left' : 'right'} of the ${b.cls.name}.`,
        structural: 'verify',
        semantic: 'rel',
        detailed: 'relVerify',
        global: null,
        program: [select(b), { operation: `verify rel`, argument: `${a.cls.name},to the ${relation} of,s` }],
      };
    }
    case 1:
      return {
        question: `What color is the ${a.cls.name}?`,
        answer: a.colour.name,
        fullAnswer: `The ${a.cls.name} is ${a.colour.name}.`,
        structural: 'query',
        semantic: 'attr',
        detailed: 'objectAttr',
        global: 'color',
        program: [select(a), { operation: 'query', argument: 'color' }],
      };
    case 2: {
      const side = leftOf(a, b) ? 'left' : 'right';
      return {
        question: `Is the ${a.cls.name} to the left or to the right of the ${b.cls.name}?`,
        answer: side,
        fullAnswer: `The ${a.cls.name} is to the ${side} of the ${b.cls.name}.`,
        structural: 'choose',
        semantic: 'rel',
        detailed: 'relChooser',
        global: null,
        program: [
          select(b),
          { operation: 'relate', argument: `${a.cls.name},to the left of,s` },
          { operation: 'choose rel', argument: 'left|right' },
        ],
      };
    }
    case 3: {
      const present = rng.chance(0.5);
      const other = present ? b.cls : rng.pick(OBJECT_CLASSES.filter((c) => !scene.objects.some((o) => o.cls === c)));
      return {
        question: `Are there both ${a.cls.plural} and ${other.plural} in the picture?`,
        answer: present ? 'yes' : 'no',
        fullAnswer: present
          ? `Yes, there are both ${a.cls.plural} and ${other.plural}.`
          : `No, there is ${article(a.cls.name)} but no ${other.name}.`,
        structural: 'logical',
        semantic: 'obj',
        detailed: 'existAnd',
        global: null,
        program: [
          select(a),
          { operation: 'exist', argument: '?' },
          select(a),
          { operation: 'exist', argument: '?' },
          { operation: 'and', argument: '' },
        ],
      };
    }
    case 4: {
      const truth = rng.chance(0.5);
      const colour = truth
        ? a.colour.name
        : rng.pick(
            ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown', 'black'].filter(
              (c) => c !== a.colour.name,
            ),
          );
      return {
        question: `Is the ${a.cls.name} ${colour}?`,
        answer: truth ? 'yes' : 'no',
        fullAnswer: `${truth ? 'Yes' : 'No'}, the ${a.cls.name} is ${a.colour.name}.`,
        structural: 'verify',
        semantic: 'attr',
        detailed: 'verifyAttr',
        global: null,
        program: [select(a), { operation: 'verify color', argument: colour }],
      };
    }
    case 5: {
      const [left, right] = leftOf(a, b) ? [a, b] : [b, a];
      const target = rng.chance(0.5) ? left : right;
      const anchor = target === left ? right : left;
      const relation = target === left ? 'left' : 'right';
      // Only a unique answer: no third object on the same side of the anchor.
      const competing = scene.objects.filter(
        (o) => o !== anchor && (relation === 'left' ? leftOf(o, anchor) : leftOf(anchor, o)),
      );
      if (competing.length !== 1) return ask(ctx, scene);
      return {
        question: `What is the object to the ${relation} of the ${anchor.cls.name}?`,
        answer: target.cls.name,
        fullAnswer: `The object is ${article(target.cls.name)}.`,
        structural: 'query',
        semantic: 'rel',
        detailed: 'relS',
        global: target.cls.category,
        program: [
          select(anchor),
          { operation: 'relate', argument: `_,to the ${relation} of,s` },
          { operation: 'query', argument: 'name' },
        ],
      };
    }
    default: {
      if (a.size === b.size) return ask(ctx, scene);
      const bigger = a.size === 'large' ? a : b;
      return {
        question: `Which is bigger, the ${a.cls.name} or the ${b.cls.name}?`,
        answer: bigger.cls.name,
        fullAnswer: `The ${bigger.cls.name} is bigger.`,
        structural: 'compare',
        semantic: 'attr',
        detailed: 'compare',
        global: null,
        program: [select(a), select(b), { operation: 'choose bigger', argument: '' }],
      };
    }
  }
}

export function generateGQA(ctx: GenContext): SynthItem {
  const { rng } = ctx;
  const size = ctx.imageSize;
  let scene: Scene | undefined;
  while (!scene) {
    const classes = rng.sample(OBJECT_CLASSES, 2 + rng.int(2));
    const objects = placeObjects(
      rng,
      size,
      size,
      classes.map((cls) => ({ cls })),
    );
    if (objects) scene = { width: size, height: size, background: randomBackground(rng), objects };
  }
  const q = ask(ctx, scene);
  const questionId = String((ctx.split === 'train' ? 10_000_000 : 20_000_000) + ctx.index);
  const imageId = `n${ctx.split === 'train' ? 1 : 2}${pad(ctx.index, 6)}`;
  return {
    id: questionId,
    imagePath: `GQA/images/${imageId}.png`,
    renderImage: () => renderScene(scene),
    prompt: q.question,
    answer: q.answer,
    caption: `In this image there is ${describeScene(scene)}.`,
    official: {
      semantic: q.program.map((p, i) => ({ ...p, dependencies: i === 0 ? [] : [i - 1] })),
      entailed: [],
      equivalent: [questionId],
      question: q.question,
      imageId,
      isBalanced: true,
      groups: { global: q.global, local: `${q.structural}-${q.semantic}` },
      answer: q.answer,
      semanticStr: q.program.map((p) => `${p.operation}: ${p.argument}`).join('->'),
      annotations: { answer: {}, question: {}, fullAnswer: {} },
      types: { detailed: q.detailed, semantic: q.semantic, structural: q.structural },
      fullAnswer: q.fullAnswer,
    },
  };
}
