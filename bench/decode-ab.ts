/**
 * npm run bench -- decode-ab --a '<variant>' --b '<variant>' [--model tiny|B|coin] [--batch N] [--new N] [--rounds N] [--json]
 *
 * Two cached generators side by side, for changes too small for single runs on a shared machine:
 * rounds alternate which goes first, and the result is the median of the per-round ratios B ÷ A
 * with its interquartile range, whether both produced the same tokens, and `ceiling_gflops` (the
 * 1024³ MatMul probe before and after the rounds: the machine's speed meanwhile). A variant is a JSON
 * object of generator options: provider ('cpu' or 'cuda': the CUDA form of the graph, run on the
 * CPU), threads (intra-op threads), spin (boolean), sharedPrefix (true: the tokens every prompt of
 * the batch starts with are prefilled once); {} is the default generator. Experiments on the graph
 * itself add their variant here, in bench/, until the measurements decide. `--model coin` is coin-tiny on CoIN-shaped eval prompts
 * (lib/coin-eval-case.ts); `--new` sets the new tokens per sample (default 63).
 */
import { commonLeadingTokens, type GeneratorOptions } from '@coin/model';
import { createMatmulCeilingProbe } from '@coin/runtime';
import { DECODE_CASES, makeGenerator, NEW_TOKENS, probeOnce, promptBatch, timedRun } from './lib/decode-cases.js';
import { coinEvalCase } from './lib/coin-eval-case.js';
import { arg } from './lib/args.js';
import { median, round } from './lib/stats.js';

const USAGE =
  "usage: npm run bench -- decode-ab --a '<json>' --b '<json>' [--model tiny|B|coin] [--batch N] [--new N] [--rounds N] [--json]";

function fail(message: string): never {
  console.error(`decode-ab: ${message}\n${USAGE}`);
  process.exit(2);
}

function positiveInt(name: string, fallback: number): number {
  const raw = arg(name);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** Generator options from a variant's JSON, refusing unknown keys and wrong types; `shared`: whether it prefills the batch's common prefix once. */
function parseVariant(name: string, text: string | undefined): { options: Partial<GeneratorOptions>; shared: boolean } {
  if (text === undefined) fail(`--${name} is required (a JSON object; {} for the default generator)`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    fail(`--${name} is not JSON: ${text}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`--${name} must be a JSON object, got ${text}`);
  const o: Record<string, unknown> = { ...v };
  const out: { -readonly [K in keyof GeneratorOptions]?: GeneratorOptions[K] } = {};
  const session: { threads?: number; spin?: boolean } = {};
  let shared = false;
  for (const [key, value] of Object.entries(o)) {
    const bad = (want: string): never => fail(`--${name}: ${key} must be ${want}, got ${JSON.stringify(value)}`);
    const count = (): number =>
      typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : bad('a positive integer');
    if (key === 'spin' || key === 'sharedPrefix') {
      const flag = typeof value === 'boolean' ? value : bad('true or false');
      if (key === 'spin') session.spin = flag;
      else shared = flag;
    } else if (key === 'provider') {
      out.provider = value === 'cpu' || value === 'cuda' ? value : bad("'cpu' or 'cuda'");
    } else if (key === 'threads') {
      session.threads = count();
    } else {
      fail(`--${name}: unknown option ${key} (known: provider, threads, spin, sharedPrefix)`);
    }
  }
  return { options: Object.keys(session).length ? { ...out, session } : out, shared };
}

const a = parseVariant('a', arg('a'));
const b = parseVariant('b', arg('b'));
const model = arg('model') ?? 'B';
const c =
  model === 'coin'
    ? coinEvalCase()
    : (DECODE_CASES.find((x) => x.model === model) ?? fail(`--model must be tiny, B or coin, got ${model}`));
const batch = positiveInt('batch', 32);
const rounds = positiveInt('rounds', 20);
const newTokens = positiveInt('new', NEW_TOKENS);

const input = promptBatch(c, batch);
const prefix = commonLeadingTokens(input.prompts);
if ((a.shared || b.shared) && prefix.length === 0)
  fail(`sharedPrefix: the ${model} case's prompts share no leading tokens at batch ${batch} (try --model coin)`);
const make = (v: ReturnType<typeof parseVariant>) =>
  makeGenerator(c, batch, v.shared ? { ...v.options, sharedPrefix: prefix } : v.options);
const [genA, genB] = [await make(a), await make(b)];
await genA.generate(input, newTokens);
await genB.generate(input, newTokens);
const probe = await createMatmulCeilingProbe(1024);
await probe.measure(2);
// The machine-speed probe runs before and after the rounds, not between them (it evicts the weights from L3).
const ceiling = [await probeOnce(probe)];
const tokS = { a: [] as number[], b: [] as number[] };
const ratios: number[] = [];
let same = true;
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
  const got: Partial<Record<'a' | 'b', { tokS: number; tokens: number[][] }>> = {};
  for (const which of order) got[which] = await timedRun(which === 'a' ? genA : genB, input, batch, newTokens);
  tokS.a.push(got.a!.tokS);
  tokS.b.push(got.b!.tokS);
  ratios.push(got.b!.tokS / got.a!.tokS);
  same &&= JSON.stringify(got.a!.tokens) === JSON.stringify(got.b!.tokens);
}
ceiling.push(await probeOnce(probe));
await Promise.all([genA.release(), genB.release(), probe.release()]);
const sorted = [...ratios].sort((x, y) => x - y);
const quartile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const result = {
  model,
  batch,
  new_tokens: newTokens,
  shared_prefix: a.shared || b.shared ? prefix.length : 0,
  rounds,
  a_tok_s: round(median(tokS.a), 0),
  b_tok_s: round(median(tokS.b), 0),
  b_over_a: round(median(ratios), 3),
  q1: round(quartile(0.25), 3),
  q3: round(quartile(0.75), 3),
  same_tokens: same,
  ceiling_gflops: round(median(ceiling), 0),
};
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
else {
  const shared = result.shared_prefix ? `, shared prefix ${result.shared_prefix} tokens` : '';
  console.log(
    `decode-ab: ${new Date().toISOString()}, model ${model}, batch ${batch}, ${newTokens} new tokens${shared}, ${rounds} rounds; A ${arg('a')}, B ${arg('b')}`,
  );
  console.log(
    `A ${result.a_tok_s} tok/s   B ${result.b_tok_s} tok/s   B/A paired median ${result.b_over_a} (IQR ${result.q1}–${result.q3})   tokens ${same ? 'identical' : 'DIFFER'}   ceiling_gflops ${result.ceiling_gflops}`,
  );
}
