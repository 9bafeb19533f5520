import { COLOUR_MIXES, GENRES, OBJECT_CLASSES } from './world.js';
import { article } from './describe.js';

/** Text-only sentences about the world (the knowledge ScienceQA-like questions test). */
export function worldFacts(): string[] {
  const facts: string[] = [];
  for (const c of OBJECT_CLASSES) {
    const kind = c.category === 'food' ? 'a kind of food' : article(c.category);
    facts.push(`${article(c.name).replace(/^a/, 'A')} is ${kind}.`);
    facts.push(
      c.living
        ? `${article(c.name).replace(/^a/, 'A')} is alive: it grows and needs food and water.`
        : `${article(c.name).replace(/^a/, 'A')} is not a living thing.`,
    );
    if (c.category === 'animal')
      facts.push(
        `${c.plural[0].toUpperCase()}${c.plural.slice(1)} live ${c.habitat === 'water' ? 'in water' : c.habitat === 'air' ? 'in the air and nest in trees' : 'on land'}.`,
      );
  }
  for (const [a, b, result] of COLOUR_MIXES) facts.push(`Mixing ${a} paint with ${b} paint gives ${result}.`);
  for (const g of GENRES)
    facts.push(
      `Books about ${g.icons.map((i) => `${i === 'fish' ? i : `${i}s`}`).join(' or ')} are often shelved under ${g.name}.`,
    );
  return facts;
}
