/**
 * Boxes for the rubric judge (docs/protocol.md#rubric-judge): the first four comma-separated
 * numbers of a text, "[0.1, 0.2, 0.5, 0.6]" or "(0.1,0.2,0.5,0.6)" or inside a sentence, read as
 * (x1, y1, x2, y2).
 */
import { boxIou, type Box } from '../../scorers/grounding.js';

const NUM = String.raw`([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)`;
const FOUR = new RegExp(`${NUM}\\s*,\\s*${NUM}\\s*,\\s*${NUM}\\s*,\\s*${NUM}`);
const ONLY_A_BOX = new RegExp(`^\\s*[[(]\\s*${NUM}\\s*,\\s*${NUM}\\s*,\\s*${NUM}\\s*,\\s*${NUM}\\s*[\\])]\\s*$`);

/** The first box in a text, or undefined; a box whose corners are not ordered (x2 ≤ x1) is none. */
export function findBox(text: string): Box | undefined {
  const m = FOUR.exec(text);
  if (!m) return undefined;
  const box = [m[1], m[2], m[3], m[4]].map(Number) as unknown as Box;
  return box[2] > box[0] && box[3] > box[1] ? box : undefined;
}

/** Whether a text is one bracketed box and nothing else (a ground truth that is a box). */
export function isBoxText(text: string): boolean {
  return ONLY_A_BOX.test(text);
}

/** round(10 · IoU) of the two boxes, 0 where the answer holds no box. */
export function boxScore(groundTruth: Box, answer: Box | undefined): number {
  return answer === undefined ? 0 : Math.round(10 * boxIou(groundTruth, answer));
}
