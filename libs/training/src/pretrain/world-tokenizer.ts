import { type ByteLevelBpeModel, trainByteLevelBpe } from '@coin/model';
import { worldCorpus } from './world-corpus.js';

/**
 * The byte-level BPE of a synth world: trained on its captions, facts and rendered training
 * conversations (worldCorpus), with the special tokens the prompt code expects (`<unk>` = pad,
 * `<s>`, `</s>`, `<pad>`, `<image>`, ids 0..4). `vocabTarget` is the preset's `vocab`; merging stops
 * earlier when no pair occurs twice, so a small world gives a smaller vocabulary.
 */
export async function trainWorldTokenizer(dataDir: string, vocabTarget: number): Promise<ByteLevelBpeModel> {
  return trainByteLevelBpe(await worldCorpus(dataDir), { vocabSize: vocabTarget });
}
