import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initModel, PRESETS } from '@coin/model';
import { warmUpVision } from './vision-warmup.js';

const config = PRESETS.micro;
const hyper = { steps: 200, batch: 16, lr: 3e-3 };

test('the vision warm-up teaches the tower colours and classes per patch, and touches nothing else', async () => {
  const weights = initModel(config, 5);
  const steps: number[] = [];
  const { weights: warmed, report } = await warmUpVision({
    config,
    weights,
    seed: 5,
    hyper,
    threads: 1,
    onStep: (step) => steps.push(step),
  });
  assert.deepEqual(
    steps,
    Array.from({ length: hyper.steps }, (_, i) => i + 1),
  );
  const { initial, final } = report.heldOutLoss;
  assert.ok(final < 0.6 * initial, `held-out loss ${initial} → ${final}`);
  const acc = report.heldOutAccuracy;
  assert.ok(acc.final.patches > 50 && acc.final.patches === acc.initial.patches);
  assert.ok(acc.final.colour > acc.initial.colour + 0.2, `colour ${acc.initial.colour} → ${acc.final.colour}`);
  assert.deepEqual([...warmed.keys()], [...weights.keys()], 'the heads are dropped, nothing is added');
  for (const [name, t] of weights) {
    const changed = !Buffer.from(t.data.buffer).equals(Buffer.from(warmed.get(name)!.data.buffer));
    assert.equal(changed, name.startsWith('vision.'), `${name} ${changed ? 'changed' : 'kept'}`);
  }
  // The same seed draws the same scenes and ends at the same weights.
  const again = await warmUpVision({ config, weights, seed: 5, hyper: { ...hyper, steps: 5 }, threads: 1 });
  const twice = await warmUpVision({ config, weights, seed: 5, hyper: { ...hyper, steps: 5 }, threads: 1 });
  const patch = (m: typeof again) => Buffer.from(m.weights.get('vision.patch_embed.weight')!.data.buffer);
  assert.ok(patch(again).equals(patch(twice)));
});
