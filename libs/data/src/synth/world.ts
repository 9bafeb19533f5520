/**
 * The vocabulary of CoIN-Synth's world. Every task draws from these same classes, colours and
 * facts, so what one task teaches (what a sailboat looks like, that a fish lives in water) is
 * knowledge another task can use, while each task asks for it in its own answer format.
 */
import { pythonCapitalize } from '../readers/imagenet.js';

export type Category = 'animal' | 'plant' | 'vehicle' | 'food' | 'building' | 'tool' | 'shape';
export type Habitat = 'land' | 'water' | 'air' | 'none';

export interface ObjectClass {
  /** Lower-case name used in questions and VQA-style answers ("coffee mug"). */
  readonly name: string;
  readonly plural: string;
  readonly category: Category;
  readonly living: boolean;
  readonly habitat: Habitat;
  /** Width / height of the drawn object; boxes are tight around the drawing. */
  readonly aspect: number;
}

export const OBJECT_CLASSES: readonly ObjectClass[] = [
  { name: 'cat', plural: 'cats', category: 'animal', living: true, habitat: 'land', aspect: 1 },
  { name: 'fish', plural: 'fish', category: 'animal', living: true, habitat: 'water', aspect: 1.6 },
  { name: 'bird', plural: 'birds', category: 'animal', living: true, habitat: 'air', aspect: 1.2 },
  { name: 'tree', plural: 'trees', category: 'plant', living: true, habitat: 'land', aspect: 0.75 },
  { name: 'flower', plural: 'flowers', category: 'plant', living: true, habitat: 'land', aspect: 0.7 },
  { name: 'apple', plural: 'apples', category: 'food', living: false, habitat: 'none', aspect: 0.9 },
  { name: 'car', plural: 'cars', category: 'vehicle', living: false, habitat: 'land', aspect: 1.7 },
  { name: 'sailboat', plural: 'sailboats', category: 'vehicle', living: false, habitat: 'water', aspect: 0.9 },
  { name: 'house', plural: 'houses', category: 'building', living: false, habitat: 'none', aspect: 0.9 },
  { name: 'coffee mug', plural: 'coffee mugs', category: 'tool', living: false, habitat: 'none', aspect: 1.25 },
  { name: 'umbrella', plural: 'umbrellas', category: 'tool', living: false, habitat: 'none', aspect: 1 },
  { name: 'key', plural: 'keys', category: 'tool', living: false, habitat: 'none', aspect: 2 },
  { name: 'star', plural: 'stars', category: 'shape', living: false, habitat: 'none', aspect: 1 },
  { name: 'heart', plural: 'hearts', category: 'shape', living: false, habitat: 'none', aspect: 1.1 },
];

export function classByName(name: string): ObjectClass {
  const found = OBJECT_CLASSES.find((c) => c.name === name);
  if (!found) throw new RangeError(`unknown CoIN-Synth class ${name}`);
  return found;
}

/** ImageNet-style answer: Python's str.capitalize() of the class name ("Coffee mug"), as the ImageNet reader writes it. */
export const imagenetLabel = pythonCapitalize;

export interface Colour {
  readonly name: string;
  readonly rgb: readonly [number, number, number];
}

/** Object colours; all read clearly on the light backgrounds below. */
export const COLOURS: readonly Colour[] = [
  { name: 'red', rgb: [215, 38, 38] },
  { name: 'orange', rgb: [240, 140, 20] },
  { name: 'yellow', rgb: [235, 205, 20] },
  { name: 'green', rgb: [40, 160, 60] },
  { name: 'blue', rgb: [40, 80, 220] },
  { name: 'purple', rgb: [135, 50, 180] },
  { name: 'pink', rgb: [240, 120, 180] },
  { name: 'brown', rgb: [125, 75, 35] },
  { name: 'black', rgb: [25, 25, 25] },
];

/** Pale backgrounds (walls, sky, sand, grass) so objects keep their colour name. */
export const BACKGROUNDS: ReadonlyArray<readonly [number, number, number]> = [
  [236, 236, 228],
  [214, 232, 246],
  [244, 230, 204],
  [222, 240, 214],
  [240, 222, 228],
  [228, 228, 240],
];

/** Colour mixing facts used by the text-only science questions. */
export const COLOUR_MIXES: ReadonlyArray<readonly [string, string, string]> = [
  ['red', 'yellow', 'orange'],
  ['blue', 'yellow', 'green'],
  ['red', 'blue', 'purple'],
  ['red', 'white', 'pink'],
];

/** Short words on signs (TextVQA-like); lower case, as TextVQA answers are. */
export const SIGN_WORDS: readonly string[] = [
  'open',
  'stop',
  'exit',
  'cafe',
  'sale',
  'park',
  'bank',
  'taxi',
  'hotel',
  'bus',
  'shop',
  'menu',
  'zoo',
  'gym',
  'fish',
  'pets',
  'books',
  'pizza',
  'bar',
  'tea',
  'milk',
  'bread',
  'kiosk',
  'toys',
  'farm',
  'lab',
  'inn',
  'mall',
  'gate',
  'dock',
  '24',
  '7',
  '12',
  '50',
  'ace',
  'nova',
  'zen',
  'kivo',
  'luma',
  'orbo',
];

/** Book genres (OCR-VQA's genre names); each has cover icons drawn from the world's classes. */
export interface Genre {
  readonly name: string;
  readonly icons: readonly string[];
  /** Phrase used in yes/no questions ("Is this a cookbook?"). */
  readonly kind: string;
}

export const GENRES: readonly Genre[] = [
  { name: 'Cookbooks, Food & Wine', icons: ['apple', 'coffee mug'], kind: 'a cookbook' },
  { name: 'Travel', icons: ['car', 'sailboat', 'umbrella'], kind: 'a travel book' },
  { name: "Children's Books", icons: ['cat', 'heart', 'star'], kind: "a children's book" },
  { name: 'Science & Math', icons: ['fish', 'bird', 'flower', 'tree'], kind: 'a science book' },
  { name: 'Mystery, Thriller & Suspense', icons: ['key', 'house'], kind: 'a mystery book' },
];

export const AUTHOR_FIRST: readonly string[] = [
  'Ada',
  'Ben',
  'Cleo',
  'Dan',
  'Eva',
  'Finn',
  'Gus',
  'Ida',
  'Jon',
  'Kim',
  'Lev',
  'Mia',
  'Ned',
  'Ola',
  'Pia',
  'Roy',
];
export const AUTHOR_LAST: readonly string[] = [
  'Moss',
  'Hale',
  'Reed',
  'Fox',
  'Lowe',
  'Park',
  'Wren',
  'Cole',
  'Dunn',
  'Bell',
  'Grey',
  'Shaw',
  'Nash',
  'Vale',
];
export const TITLE_ADJECTIVES: readonly string[] = [
  'Red',
  'Blue',
  'Quiet',
  'Lost',
  'Happy',
  'Green',
  'Little',
  'Secret',
  'Brave',
  'Golden',
  'Wild',
  'Old',
];
export const TITLE_TAILS: readonly string[] = ['Days', 'Tales', 'Guide', 'Notes', 'Story', 'Trip', 'Lessons', 'Nights'];
