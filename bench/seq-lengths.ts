/**
 * `npm run bench -- seq-lengths [--data DIR] [--json]`: the expanded token lengths (text + image
 * positions) of every CoIN-Synth task under each preset's tokenizer, against the preset's maxSeq and
 * default buckets. Without --data it generates the default world into a temp folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SYNTH_OPTIONS, prepareSynth } from '@coin/data';
import { ByteLevelBpeTokenizer, imageTokens, PRESETS, VICUNA_V1_SYSTEM, withVocabAndSeq } from '@coin/model';
import {
  captionSample,
  DEFAULT_BUCKETS,
  expandedLength,
  lengthStats,
  measureTaskLengths,
  PRESET_NAMES,
  readCaptions,
  trainWorldTokenizer,
} from '@coin/training';

const args = process.argv.slice(2);
const json = args.includes('--json');
const dataAt = args.indexOf('--data');
let data = dataAt >= 0 ? args[dataAt + 1] : undefined;
let temp: string | undefined;
if (!data) {
  temp = await mkdtemp(join(tmpdir(), 'coin-seq-'));
  data = join(temp, 'world');
  await prepareSynth(data, DEFAULT_SYNTH_OPTIONS);
}
const rows: Record<string, unknown>[] = [];
for (const preset of PRESET_NAMES) {
  const tokenizer = new ByteLevelBpeTokenizer(await trainWorldTokenizer(data, PRESETS[preset].decoder.vocab));
  const config = withVocabAndSeq(PRESETS[preset], tokenizer.vocabSize);
  const n = imageTokens(config.vision);
  const bucketMax = Math.max(...DEFAULT_BUCKETS[preset].map((b) => b.seq));
  const head = {
    preset,
    vocab: tokenizer.vocabSize,
    system: tokenizer.encode(VICUNA_V1_SYSTEM).length,
    n,
    maxSeq: config.decoder.maxSeq,
    bucketMax,
  };
  for (const t of await measureTaskLengths(data, tokenizer, config))
    rows.push({ ...head, task: t.task, train: t.train, eval: t.evalPrompt });
  const captions = (await readCaptions(data)).map((l) => expandedLength(captionSample(l, tokenizer).inputIds, n));
  rows.push({ ...head, task: 'pretrain captions', train: lengthStats(captions) });
}
if (temp) await rm(temp, { recursive: true, force: true });
if (json) {
  console.log(JSON.stringify(rows));
} else {
  console.log('| preset | vocab | system | N | maxSeq | task | train max | train p95 | train mean | eval prompt max |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const train = r.train as { max: number; p95: number; mean: number };
    const evalMax = (r.eval as { max: number } | undefined)?.max;
    console.log(
      `| ${r.preset} | ${r.vocab} | ${r.system} | ${r.n} | ${r.maxSeq} | ${r.task} | ${train.max} | ${train.p95} | ${train.mean.toFixed(1)} | ${evalMax ?? '–'} |`,
    );
  }
}
