import { IMAGE_TOKEN, type Tokenizer } from '../tokenizer/tokenizer.js';

/** LLaVA's IMAGE_TOKEN_INDEX: stands in input_ids where the model inserts the visual tokens. */
export const IMAGE_SENTINEL_ID = -200;
/** Label value ignored by the loss (PyTorch's ignore_index). */
export const IGNORE_INDEX = -100;

/**
 * LLaVA tokenizer_image_token: split at `<image>`, tokenise each piece on its own, join the pieces
 * with the sentinel −200, and keep a single BOS in front. (LLaVA tokenises every piece with BOS
 * and drops all but the first; encoding pieces without BOS and prepending one is the same.)
 */
export function tokenizeWithImage(text: string, tokenizer: Tokenizer, addBos = true): number[] {
  const ids: number[] = addBos ? [tokenizer.bosId] : [];
  text.split(IMAGE_TOKEN).forEach((piece, i) => {
    if (i > 0) ids.push(IMAGE_SENTINEL_ID);
    for (const id of tokenizer.encode(piece)) ids.push(id);
  });
  return ids;
}
