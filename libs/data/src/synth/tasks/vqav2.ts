import { placeObjects, randomBackground, renderScene, type ObjectSpec, type Scene } from '../scene.js';
import { COLOURS, OBJECT_CLASSES } from '../world.js';
import { describeScene } from '../describe.js';
import { pad, type GenContext, type SynthItem } from './types.js';

/** VQAv2-like counting, colour and yes/no questions; answers in VQA style ("2", "red", "yes"). */
export function generateVQAv2(ctx: GenContext): SynthItem {
  const { rng } = ctx;
  const size = ctx.imageSize;
  for (;;) {
    const counted = rng.pick(OBJECT_CLASSES);
    const count = 1 + rng.int(4);
    const specs: ObjectSpec[] = Array.from({ length: count }, () => ({ cls: counted, size: 'small' as const }));
    const others = rng.sample(
      OBJECT_CLASSES.filter((c) => c !== counted),
      rng.int(2),
    );
    for (const cls of others) specs.push({ cls, size: 'small' });
    const objects = placeObjects(rng, size, size, rng.shuffle(specs));
    if (!objects) continue;
    const scene: Scene = { width: size, height: size, background: randomBackground(rng), objects };
    const unique = objects.filter((o) => objects.filter((p) => p.cls === o.cls).length === 1);
    const kind = rng.int(4);
    let question: string;
    let answer: string;
    if (kind === 0 || unique.length === 0) {
      question = `How many ${counted.plural} are there?`;
      answer = String(count);
    } else if (kind === 1) {
      const o = rng.pick(unique);
      question = `What color is the ${o.cls.name}?`;
      answer = o.colour.name;
    } else if (kind === 2) {
      const present = rng.chance(0.5);
      const cls = present
        ? rng.pick(objects).cls
        : rng.pick(OBJECT_CLASSES.filter((c) => !objects.some((o) => o.cls === c)));
      question = `Is there ${cls.name === 'apple' ? 'an' : 'a'} ${cls.name} in the picture?`;
      answer = present ? 'yes' : 'no';
    } else {
      const o = rng.pick(unique);
      const truth = rng.chance(0.5);
      const colour = truth ? o.colour : rng.pick(COLOURS.filter((c) => c !== o.colour));
      question = `Is the ${o.cls.name} ${colour.name}?`;
      answer = truth ? 'yes' : 'no';
    }
    const imageId = (ctx.split === 'train' ? 300_000 : 400_000) + ctx.index;
    const folder = ctx.split === 'train' ? 'train2014' : 'val2014';
    return {
      id: imageId * 1000,
      imagePath: `COCO2014/${folder}/COCO_${folder}_${pad(imageId, 12)}.png`,
      renderImage: () => renderScene(scene),
      prompt: question,
      answer,
      caption: `Here we see ${describeScene(scene)}.`,
    };
  }
}
