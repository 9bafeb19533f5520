import type { PlacedObject, Scene } from './scene.js';

/** Plain descriptions of scenes, shared by captions and referring expressions. */
export function article(phrase: string): string {
  return /^[aeiou]/.test(phrase) ? `an ${phrase}` : `a ${phrase}`;
}

export function objectPhrase(o: PlacedObject, withSize = true): string {
  return `${withSize ? `${o.size} ` : ''}${o.colour.name} ${o.cls.name}`;
}

function horizontalPlace(o: PlacedObject, width: number): string {
  const cx = o.box.x + o.box.w / 2;
  return cx < width / 3 ? 'on the left' : cx > (2 * width) / 3 ? 'on the right' : 'in the middle';
}

export function centreX(o: PlacedObject): number {
  return o.box.x + o.box.w / 2;
}

/** "a small red cat on the left, a large blue car on the right and a sign that reads "open"". */
export function describeScene(scene: Scene): string {
  const parts = scene.objects.map((o) => `${article(objectPhrase(o))} ${horizontalPlace(o, scene.width)}`);
  if (scene.sign) parts.push(`${article(scene.sign.boardName)} sign that reads "${scene.sign.text}"`);
  if (parts.length === 0) return 'nothing but an empty wall';
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
