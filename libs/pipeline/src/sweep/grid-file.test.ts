import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { InstructionVariant, Method, Preset } from '@coin/contracts';
import { parseGridFile } from './grid-file.js';

/** The CoinError parseGridFile throws for `text`. */
function refusal(text: string): CoinError {
  try {
    parseGridFile(text, 'grid.yaml');
  } catch (e) {
    assert.ok(e instanceof CoinError, String(e));
    assert.equal(e.code, 'SWEEP.BAD_GRID');
    assert.equal(e.kind, 'INVALID_ARGUMENT');
    return e;
  }
  assert.fail(`accepted:\n${text}`);
}

describe('parseGridFile', () => {
  it('reads every axis into the proto SweepGrid', () => {
    const grid = parseGridFile(
      [
        '# a comment',
        'presets: [micro, tiny]',
        'methods: [lora, ewc]',
        'orders:',
        '  - default',
        '  - [VQAv2, ImageNet]',
        '  - "GQA,ScienceQA"',
        'variants: [diverse]',
        'fractions: [0.5, 1]',
        'seeds: [0, 1, 2]',
      ].join('\n'),
    );
    assert.deepEqual(grid.presets, [Preset.PRESET_MICRO, Preset.PRESET_TINY]);
    assert.deepEqual(grid.methods, [Method.METHOD_LORA, Method.METHOD_EWC]);
    assert.equal(grid.taskOrders.length, 3);
    assert.equal(grid.taskOrders[0].tasks.length, 8);
    assert.deepEqual(grid.taskOrders[1].tasks, ['VQAv2', 'ImageNet']);
    assert.deepEqual(grid.taskOrders[2].tasks, ['GQA', 'ScienceQA']);
    assert.deepEqual(grid.instructionVariants, [InstructionVariant.INSTRUCTION_VARIANT_DIVERSE]);
    assert.deepEqual(grid.dataFractions, [0.5, 1]);
    assert.deepEqual(grid.seeds, [0, 1, 2]);
    assert.deepEqual(grid.baseModels, []);
  });

  it('refuses an unknown key, naming it, its line and the keys there are', () => {
    const e = refusal('methods: [lora]\nseed: [1, 2]\n');
    assert.match(e.message, /^grid\.yaml:2: unknown key "seed"/);
    assert.match(e.hint ?? '', /seeds/);
    assert.equal(e.details.line, 2);
  });

  it('refuses an empty axis, a scalar where a list goes, and an empty file', () => {
    assert.match(refusal('methods: [lora]\nseeds: []\n').message, /^grid\.yaml:2: seeds is empty/);
    assert.match(refusal('seeds: 3\n').message, /seeds must be a list, e\.g\. seeds: \[0, 1, 2\]/);
    assert.match(refusal('seeds:\n').message, /seeds must be a list/);
    assert.match(refusal('').message, /a mapping of axes to lists/);
    assert.match(refusal('{}').message, /names no axis/);
    assert.match(refusal('- lora\n').message, /a mapping of axes to lists/);
  });

  it('refuses a bad value on its own line, with what the axis takes', () => {
    const cases: [string, RegExp][] = [
      ['methods:\n  - lora\n  - lorra\n', /^grid\.yaml:3: methods: "lorra" is not one of .*lora/],
      ['presets: [huge]\n', /^grid\.yaml:1: presets: "huge" is not one of micro, tiny, small/],
      ['variants: [plain]\n', /variants: "plain" is not one of original, diverse, 10type/],
      ['fractions: [0]\n', /fractions: 0 is not a number in \(0, 1\]/],
      ['fractions: ["half"]\n', /fractions: "half" is not a number/],
      ['seeds:\n  - 1\n  - 1.5\n', /^grid\.yaml:3: seeds: 1\.5 is not a whole number/],
      ['seeds: [-1]\n', /seeds: -1 is not a whole number/],
      ['orders: [[ImageNet, Nope]]\n', /orders: unknown task "Nope"/],
      ['orders: [[ImageNet, 3]]\n', /orders: .* is not a task order/],
      ['base_models: [""]\n', /base_models: a base model is a folder path/],
    ];
    for (const [text, message] of cases) assert.match(refusal(text).message, message, text);
  });

  it('refuses a value given twice, a key given twice, presets with base models, and bad YAML', () => {
    assert.match(refusal('seeds: [0, 1, 0]\n').message, /seeds names 0 twice/);
    assert.match(
      refusal('orders: [default, "ScienceQA,TextVQA,ImageNet,GQA,VizWiz,Grounding,VQAv2,OCRVQA"]\n').message,
      /twice/,
    );
    assert.match(refusal('seeds: [0]\nseeds: [1]\n').message, /not valid YAML/);
    assert.match(refusal('presets: [micro]\nbase_models: [/m]\n').message, /presets and base_models are both set/);
    assert.match(refusal('seeds: [0,\n').message, /^grid\.yaml:\d+: not valid YAML/);
  });
});
