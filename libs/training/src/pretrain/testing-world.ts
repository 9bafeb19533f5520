import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SYNTH_OPTIONS, prepareSynth, type SynthOptions } from '@coin/data';

/** A small CoIN-Synth world in a fresh temp folder (for tests): a few items per task. */
export async function smallWorld(overrides: Partial<SynthOptions> = {}): Promise<{ root: string; data: string }> {
  const root = await mkdtemp(join(tmpdir(), 'coin-pretrain-'));
  const data = join(root, 'world');
  await prepareSynth(data, { ...DEFAULT_SYNTH_OPTIONS, train: 6, test: 2, pretrain: 6, imageSize: 32, ...overrides });
  return { root, data };
}
