/**
 * npm run bench -- decode [--json] [--reps N]
 *
 * Greedy decoding throughput: the KV cache kept inside one ONNX Loop (one `run` per generation)
 * against full recompute (one forward over the whole sequence per new token), for the coin-tiny
 * preset (prompt = BOS + its 64 image tokens = 65 positions) and the tensor-engine config B shape
 * (d 256, 4 layers, vocab 512, text prompt of 65), 63 new tokens, batch 1 and 32. The end token is
 * never produced (eos = −1), so every run generates exactly 63 tokens per sample.
 */
import { decoderConfig, Generator, IMAGE_SENTINEL_ID, imageTokens, initModel, type ModelConfig, PRESETS, withVocabAndSeq } from '@coin/model';
import { median, round } from './lib/stats.js';

const NEW = 63;
const cases: Array<{ model: string; config: ModelConfig; withImages: boolean; prompt: (b: number) => number[] }> = [
  {
    model: 'tiny',
    config: withVocabAndSeq(PRESETS.tiny, 1024, 192),
    withImages: true,
    prompt: () => [1, IMAGE_SENTINEL_ID],
  },
  {
    model: 'B',
    config: { ...PRESETS.tiny, name: 'config-B', decoder: decoderConfig({ vocab: 512, dim: 256, layers: 4, heads: 4, maxSeq: 128 }) },
    withImages: false,
    prompt: (b) => Array.from({ length: 65 }, (_, i) => 3 + ((b * 31 + i * 17) % 500)),
  },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function tokensPerSecond(c: (typeof cases)[number], batch: number, mode: 'cached' | 'recompute', reps: number): Promise<number> {
  const weights = initModel(c.config, 3);
  const g = await Generator.create({ config: c.config, weights, batch, withImages: c.withImages, eosId: -1, padId: 0, imageTokens: imageTokens(c.config.vision), mode });
  const s = c.config.vision.imageSize;
  const input = { prompts: Array.from({ length: batch }, (_, b) => c.prompt(b)), pixels: c.withImages ? new Float32Array(batch * 3 * s * s).fill(0.1) : undefined };
  await g.generate(input, mode === 'cached' ? NEW : 2); // warm-up
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const out = await g.generate(input, NEW);
    times.push(performance.now() - t0);
    if (out.some((o) => o.length !== NEW)) throw new Error(`expected ${NEW} tokens per sample`);
  }
  await g.release();
  return (batch * NEW) / (median(times) / 1000);
}

const json = process.argv.includes('--json');
const reps = Number(arg('reps') ?? 3);
if (!json) console.log(`decode: ${new Date().toISOString()}, node ${process.version}; ${NEW} new tokens\nmodel  batch   kv_tok_s  recompute_tok_s  speedup`);
for (const c of cases) {
  for (const batch of [1, 32]) {
    const kv = await tokensPerSecond(c, batch, 'cached', reps);
    const recompute = await tokensPerSecond(c, batch, 'recompute', batch === 1 ? reps : 1);
    const row = { model: c.model, batch, kv_tok_s: round(kv, 0), recompute_tok_s: round(recompute, 0), speedup: round(kv / recompute, 1) };
    if (json) console.log(JSON.stringify(row));
    else console.log(`${row.model.padEnd(6)} ${String(batch).padStart(5)} ${String(row.kv_tok_s).padStart(10)} ${String(row.recompute_tok_s).padStart(16)} ${String(row.speedup).padStart(8)}`);
  }
}
