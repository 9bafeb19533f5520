import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MicroWorld, microWorld } from '@coin/training/testing';
import { runCli } from '../testing/run-cli.js';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

describe('coin train (micro, 2 tasks)', () => {
  let world: MicroWorld;
  let base: string;
  before(async () => {
    world = await microWorld(['ImageNet', 'VQAv2']);
    base = join(world.dir, 'base');
    await world.writeBase(base);
  });
  after(() => world.cleanup());

  const args = (out: string, ...extra: string[]) => [
    'train',
    '--preset',
    'micro',
    '--data',
    world.data,
    '--tasks',
    'ImageNet,VQAv2',
    '--method',
    'lora',
    '--base',
    base,
    '--epochs',
    '2',
    '--out',
    out,
    ...extra,
  ];
  const env = () => ({ COIN_THREADS: '1', COIN_STORE: join(world.dir, 'store') });

  it('trains every stage into its checkpoint folder, logs every step and shows progress', async () => {
    const out = join(world.dir, 'run');
    const r = await runCli(args(out, '--lora-rank', '2'), env());
    assert.equal(r.code, 0, r.stderr);
    for (const stage of ['1-ImageNet', '2-VQAv2']) {
      for (const f of ['adapter_model.safetensors', 'non_lora_trainables.safetensors', 'adapter_config.json'])
        assert.ok(await exists(join(out, stage, f)), `${stage}/${f}`);
      const meta = JSON.parse(await readFile(join(out, stage, 'coin_stage.json'), 'utf8'));
      assert.equal(meta.hyper.rank, 2, 'the method flag reached the method');
      assert.equal(meta.method, 'lora');
    }
    const rows = (await readFile(join(out, 'train-log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(rows[0]).sort(), ['grad_norm', 'loss', 'lr', 'stage', 'step', 'tok_s']);
    assert.deepEqual([...new Set(rows.map((x) => x.stage))], ['ImageNet', 'VQAv2']);
    assert.match(r.stderr, /1\/2 ImageNet \[#+\.*\] \d+\/\d+ loss \d\.\d{4} \d+ tok\/s ETA \d+:\d\d/);
    assert.match(r.stdout, /2-VQAv2: \d+ steps, loss/);
    assert.equal(await exists(join(out, '.resume')), false);

    // The same run folder against another base is refused when resumed.
    const other = join(world.dir, 'other-base');
    await world.writeBase(other);
    const config = join(other, 'coin_config.json');
    await writeFile(config, `${(await readFile(config, 'utf8')).trimEnd()}\n\n`); // same model, other bytes: another key
    const again = await runCli([...args(out, '--resume'), '--base', other], env());
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /TRAIN\.WRONG_BASE|trained from base/);
  });

  const refused: Array<[string, string[], RegExp]> = [
    ['a flag of another method', ['--ewc-lambda', '5'], /unknown option|not a flag of this method/],
    ['a bad method flag value', ['--lora-rank', '0'], /--lora-rank \(method lora\): must be at least 1/],
    ['a moelora flag for lora', ['--moe-experts', '2'], /--moe-experts \(method lora\): not a flag of this method/],
    ['an unknown task', ['--tasks', 'ImageNet,Nope'], /unknown task "Nope"/],
    ['a bad epoch count', ['--epochs', 'many'], /--epochs must be an integer/],
    ['missing data', ['--data', '/nonexistent/coin'], /no training file for task ImageNet/],
    ['a base of another preset', ['--preset', 'tiny'], /base .* is coin-micro, not coin-tiny/],
    ['no base in the store', ['--base'], /./],
  ];
  for (const [what, extra, message] of refused) {
    it(`refuses ${what}: exit 2, nothing written`, async () => {
      const out = join(world.dir, `bad-${what.replace(/\W+/g, '-')}`);
      const argv = extra[0] === '--base' ? args(out).filter((a) => a !== '--base' && a !== base) : args(out, ...extra);
      const r = await runCli(argv, env());
      assert.equal(r.code, 2, r.stderr);
      if (extra[0] === '--base')
        assert.match(r.stderr, /no coin-micro base model under .*store.*coin pretrain --preset micro/s);
      else assert.match(r.stderr, message);
      assert.equal(await exists(out), false);
    });
  }

  it('finds the preset’s finished base in the store and records the key of its manifest', async () => {
    const stored = join(world.dir, 'store', 'models', 'k1');
    await world.writeBase(stored);
    const unfinished = join(world.dir, 'store', 'models', 'k2'); // no manifest: pretraining did not finish
    await world.writeBase(unfinished);
    await writeFile(join(stored, 'manifest.json'), JSON.stringify({ format: 'coin-base-manifest-v1', key: 'k1' }));
    const out = join(world.dir, 'from-store');
    const argv = args(out, '--tasks', 'ImageNet', '--epochs', '1').filter((a) => a !== '--base' && a !== base);
    const r = await runCli(argv, env());
    assert.equal(r.code, 0, r.stderr);
    const meta = JSON.parse(await readFile(join(out, '1-ImageNet', 'coin_stage.json'), 'utf8'));
    assert.equal(meta.base, 'k1');
  });

  it('Ctrl-C stops a run with exit 130 and --resume finishes it', async () => {
    const out = join(world.dir, 'interrupted');
    const argv = args(out, '--epochs', '6', '--checkpoint-every', '1');
    const running = runCli(argv, env());
    while (!(await exists(join(out, 'train-log.jsonl')))) await new Promise((r) => setTimeout(r, 5));
    process.emit('SIGINT', 'SIGINT'); // as Node delivers it: the handler gets the signal's name
    const stopped = await running;
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /train stopped; finished stages and the latest snapshot[\s\S]*--resume/);
    assert.equal(await exists(join(out, '2-VQAv2', 'adapter_config.json')), false);
    const resumed = await runCli([...argv, '--resume'], env());
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(await exists(join(out, '2-VQAv2', 'adapter_config.json')));
  });

  it('refuses a non-empty --out without --resume', async () => {
    const out = join(world.dir, 'busy');
    await mkdir(out);
    await writeFile(join(out, 'x'), 'x');
    const r = await runCli(args(out), env());
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /exists and is not empty[\s\S]*--resume/);
  });
});

it('runtime.threads from the config reaches the session options every command passes to ORT', async () => {
  const { CliContext } = await import('../context.js');
  const { PassThrough } = await import('node:stream');
  const ctx = new CliContext(new PassThrough(), new PassThrough(), { COIN_THREADS: '3' });
  assert.deepEqual(ctx.sessionOptions(), { threads: 3, executionProvider: 'cpu' });
});

it('coin pretrain then coin train: the stored base is found and its key recorded in every stage', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'coin-pretrain-train-'));
  try {
    const env = { COIN_THREADS: '1', COIN_STORE: join(dir, 'store') };
    const world = join(dir, 'world');
    const prep = await runCli(
      ['prep', 'synth', '--out', world, '--train', '8', '--test', '2', '--pretrain', '4', '--variant', 'diverse'],
      env,
    );
    assert.equal(prep.code, 0, prep.stderr);
    const pre = await runCli(['pretrain', '--preset', 'micro', '--data', world, '--steps', '4'], env);
    assert.equal(pre.code, 0, pre.stderr);
    const out = join(dir, 'run');
    const argv = ['train', '--preset', 'micro', '--data', world, '--tasks', 'VQAv2,GQA', '--method', 'lora'];
    const r = await runCli([...argv, '--variant', 'diverse', '--out', out], env);
    assert.equal(r.code, 0, r.stderr);
    const key = /models\/([0-9a-f]{64})/.exec(pre.stdout)![1];
    for (const stage of ['1-VQAv2', '2-GQA']) {
      const meta = JSON.parse(await readFile(join(out, stage, 'coin_stage.json'), 'utf8'));
      assert.equal(meta.base, key);
      assert.equal(meta.variant, 'diverse');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
