import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteLevelBpeTokenizer, initModel, PRESETS, withVocabAndSeq } from '@coin/model';
import { type BaseModel, findStoredBase, loadBase, trainWorldTokenizer } from '@coin/training';
import { arg } from './args.js';

const PRESET = 'tiny' as const;

/**
 * The tiny base a benchmark times: `--base DIR`, else the store's pretrained one (COIN_STORE or
 * ~/.cache/coin), else a freshly initialised one on `world`'s tokenizer (same graphs, random answers).
 */
export async function loadOrInitTinyBase(world: string, seed: number): Promise<{ base: BaseModel; source: string }> {
  const explicit = arg('base');
  if (explicit) return { base: await loadBase(explicit, PRESET), source: `pretrained (${explicit})` };
  const store = process.env.COIN_STORE ?? join(process.env.HOME ?? tmpdir(), '.cache/coin');
  try {
    const dir = await findStoredBase(store, PRESET);
    return { base: await loadBase(dir, PRESET), source: `pretrained (${dir})` };
  } catch {
    // No finished base in the store: a fresh one times the same graphs.
  }
  const tokenizer = new ByteLevelBpeTokenizer(await trainWorldTokenizer(world, PRESETS[PRESET].decoder.vocab));
  const config = withVocabAndSeq(PRESETS[PRESET], tokenizer.vocabSize);
  return {
    base: { config, weights: initModel(config, seed), tokenizer, key: 'fresh' },
    source: 'freshly initialised (no pretrained tiny base found; timing only)',
  };
}
