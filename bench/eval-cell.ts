/**
 * npm run bench -- eval-cell [--json] [--rounds R] [--items N] [--batch B] [--tasks T,T] [--base DIR] [--stage DIR] [--image-cache]
 *
 * Evaluation cells as `coin run` evaluates them: libs/evaluation's StageEvaluator (test file read,
 * prompts built, images decoded and preprocessed per task, batches with the last one filled,
 * greedy decoding, merge.jsonl written) against the bare cached Generator decoding the SAME
 * batches (same prompts, pixels, batch size and new-token limits, built beforehand), side by side.
 * Both generators are built with the same options (the shared prompt prefix included) and warmed
 * before the rounds; the rounds alternate which side goes first, each timed run after a 50 ms
 * pause (ORT's idle workers stop spinning). `ratio`: per round, the evaluator's new tokens per
 * second of its whole call ÷ the bare generator's per second of its `generate` calls; the median
 * of the rounds. The base: `--base DIR`, else the store's tiny base (`coin pretrain`), else a
 * freshly initialised tiny model with a tokenizer trained on the world (the output says which).
 * `--stage DIR` evaluates a stage folder of `coin train` (trained from that base) instead of the
 * bare base: its short answers make decoding prefill-bound, where the evaluator's own work weighs
 * most; the bare base answers at length, up to the positions left. `--image-cache` gives the
 * evaluator an on-disk cache of preprocessed images (filled by the warm-up): a task's later cells.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { COIN_TASKS, type CoinTask, DEFAULT_SYNTH_OPTIONS, ImageTensorCache, prepareSynth } from '@coin/data';
import { loadStageModel, StageEvaluator } from '@coin/evaluation';
import { evalSharedPrefix, Generator, postprocessGeneration } from '@coin/model';
import { createMatmulCeilingProbe } from '@coin/runtime';
import { arg } from './lib/args.js';
import { loadOrInitTinyBase } from './lib/tiny-base.js';
import { probeOnce } from './lib/decode-cases.js';
import { median, quartiles, round } from './lib/stats.js';

const PRESET = 'tiny' as const;
const SEED = 0;
const PAUSE_MS = 50;

function parseTasks(text: string): CoinTask[] {
  return text.split(',').map((t) => {
    const task = COIN_TASKS.find((c) => c.toLowerCase() === t.trim().toLowerCase());
    if (!task) throw new Error(`unknown task ${t}: one of ${COIN_TASKS.join(', ')}`);
    return task;
  });
}

async function main() {
  const json = process.argv.includes('--json');
  const rounds = Number(arg('rounds') ?? 5);
  const items = Number(arg('items') ?? 48);
  const batch = Number(arg('batch') ?? 16);
  const tasks = parseTasks(arg('tasks') ?? 'TextVQA,ImageNet');
  const dir = await mkdtemp(join(tmpdir(), 'coin-bench-eval-'));
  try {
    const world = join(dir, 'world');
    await prepareSynth(world, { ...DEFAULT_SYNTH_OPTIONS, seed: SEED, train: 8, test: items, pretrain: 4 });
    const { base, source } = await loadOrInitTinyBase(world, SEED);
    const { tokenizer } = base;
    const stage = arg('stage');
    const model = await loadStageModel(base, stage);
    const imageCache = process.argv.includes('--image-cache') ? new ImageTensorCache(join(dir, 'images')) : undefined;
    const evaluator = await StageEvaluator.create(model, tokenizer, { batch, imageCache });
    const bare = await Generator.create({
      config: model.config,
      weights: model.weights,
      batch,
      withImages: true,
      eosId: tokenizer.eosId,
      padId: tokenizer.padId,
      sharedPrefix: evalSharedPrefix(tokenizer),
    });
    const cells = new Map<CoinTask, Awaited<ReturnType<StageEvaluator['batches']>>>();
    for (const task of tasks) cells.set(task, await evaluator.batches(task, { dataDir: world }));

    let runs = 0;
    const evaluate = async (task: CoinTask) => {
      await sleep(PAUSE_MS);
      return evaluator.evaluate(task, {
        dataDir: world,
        seed: SEED,
        modelId: 'base',
        out: join(dir, 'out', `${runs++}`),
      });
    };
    const bareRun = async (task: CoinTask) => {
      const { batches, inputs } = cells.get(task)!;
      await sleep(PAUSE_MS);
      let ms = 0;
      let tokens = 0;
      const texts: string[] = [];
      for (let k = 0; k < batches.length; k++) {
        const t0 = performance.now();
        const ids = await bare.generate(inputs[k], batches[k].maxNewTokens);
        ms += performance.now() - t0;
        for (const row of ids.slice(0, batches[k].real)) {
          tokens += row.length;
          texts.push(postprocessGeneration(tokenizer, row));
        }
      }
      return { s: ms / 1000, tokens, texts };
    };

    // Warm both sides on every task; check that they answer alike.
    let identical = true;
    for (const task of tasks) {
      const e = await evaluate(task);
      const b = await bareRun(task);
      const lines = (await readFile(e.file, 'utf8')).trimEnd().split('\n');
      identical &&= lines.every((l, i) => (JSON.parse(l) as { text: string }).text === b.texts[i]);
      identical &&= e.newTokens === b.tokens;
    }

    const probe = await createMatmulCeilingProbe(1024);
    await probe.measure(2);
    const ceiling = [await probeOnce(probe)];
    const loads = [loadavg()[0]];
    const ratios: number[] = [];
    const evalItemsS: number[] = [];
    const evalTokS: number[] = [];
    const evalDecodeTokS: number[] = [];
    const bareTokS: number[] = [];
    const perTask = new Map<CoinTask, number[]>(tasks.map((t) => [t, []]));
    let tokensPerRound = 0;
    let itemsPerRound = 0;
    let capped = 0;
    let atLimit = 0;
    for (let r = 0; r < rounds; r++) {
      let eTokens = 0;
      let eWall = 0;
      let eDecode = 0;
      let bTokens = 0;
      let bS = 0;
      itemsPerRound = 0;
      capped = 0;
      atLimit = 0;
      for (const task of tasks) {
        const evalFirst = r % 2 === 0;
        const b0 = evalFirst ? undefined : await bareRun(task);
        const e = await evaluate(task);
        const b = b0 ?? (await bareRun(task));
        eTokens += e.newTokens;
        eWall += e.wall_s;
        eDecode += e.decode_s;
        bTokens += b.tokens;
        bS += b.s;
        itemsPerRound += e.count;
        capped += e.capped;
        atLimit += e.atLimit;
        perTask.get(task)!.push(e.newTokens / e.wall_s / (b.tokens / b.s));
      }
      tokensPerRound = eTokens;
      evalItemsS.push(itemsPerRound / eWall);
      evalTokS.push(eTokens / eWall);
      evalDecodeTokS.push(eTokens / eDecode);
      bareTokS.push(bTokens / bS);
      ratios.push(eTokens / eWall / (bTokens / bS));
      loads.push(loadavg()[0]);
    }
    ceiling.push(await probeOnce(probe));
    await Promise.all([evaluator.release(), bare.release(), probe.release()]);

    const q = quartiles(ratios);
    const row = {
      preset: PRESET,
      tasks,
      items_per_task: items,
      batch,
      eval_items_s: round(median(evalItemsS), 1),
      eval_tok_s: round(median(evalTokS), 0),
      eval_decode_tok_s: round(median(evalDecodeTokS), 0),
      bare_tok_s: round(median(bareTokS), 0),
      ratio: round(median(ratios), 3),
      ratio_iqr: [round(q.q1, 3), round(q.q3, 3)],
      ratio_per_task: Object.fromEntries([...perTask].map(([t, xs]) => [t, round(median(xs), 3)])),
      identical,
      items_per_round: itemsPerRound,
      new_tokens_per_round: tokensPerRound,
      capped_items: capped,
      items_at_limit: atLimit,
      ceiling_gflops: round(median(ceiling), 0),
      load_1m: round(median(loads), 2),
      rounds,
      base: source,
      stage: stage ?? 'none (the base, zero-shot)',
      images: imageCache ? 'cached on disk' : 'decoded',
    };
    if (json) console.log(JSON.stringify(row));
    else {
      console.log(`eval-cell: ${new Date().toISOString()}, node ${process.version}, base ${source}`);
      for (const [k, v] of Object.entries(row)) console.log(`  ${k.padEnd(22)} ${JSON.stringify(v)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
