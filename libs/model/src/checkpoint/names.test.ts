import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import {
  hfBaseName,
  internalBaseName,
  nonLoraSavedKey,
  parsePeftAdapterKey,
  peftAdapterKey,
  stripNonLoraPrefix,
} from './hf-names.js';
import { internalNames, LINEAR_NAMES, parseInternalAdapterName } from '../internal-names.js';

const isCode = (code: string) => (e: unknown) => e instanceof CoinError && e.code === code;

describe('adapter tensor names', () => {
  it('spells PEFT LoRA keys without the adapter name', () => {
    assert.equal(
      peftAdapterKey({ layer: 3, linear: 'q', part: 'lora_A' }),
      'base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight',
    );
    assert.equal(
      peftAdapterKey({ layer: 0, linear: 'down', part: 'lora_B' }),
      'base_model.model.model.layers.0.mlp.down_proj.lora_B.weight',
    );
  });

  it('spells the MoELoRA keys of docs/file-formats.md#checkpoints', () => {
    assert.equal(
      peftAdapterKey({ layer: 1, linear: 'v', part: 'lora_A', expert: 7 }),
      'base_model.model.model.layers.1.self_attn.v_proj.lora_A.loraA.7.mlp.weight',
    );
    assert.equal(
      peftAdapterKey({ layer: 1, linear: 'up', part: 'lora_B', expert: 0 }),
      'base_model.model.model.layers.1.mlp.up_proj.lora_B.loraB.0.mlp.weight',
    );
    assert.equal(
      peftAdapterKey({ layer: 1, linear: 'o', part: 'lora_router' }),
      'base_model.model.model.layers.1.self_attn.o_proj.lora_router.weight',
    );
  });

  it('parses every key it writes, both MoELoRA spellings and a leftover .default', () => {
    for (const linear of LINEAR_NAMES) {
      for (const ref of [
        { layer: 12, linear, part: 'lora_A' as const },
        { layer: 12, linear, part: 'lora_B' as const, expert: 3 },
        { layer: 12, linear, part: 'lora_router' as const },
      ]) {
        assert.deepEqual(parsePeftAdapterKey(peftAdapterKey(ref)), ref);
      }
    }
    const p = 'base_model.model.model.layers.2.mlp.gate_proj';
    assert.deepEqual(parsePeftAdapterKey(`${p}.lora_A.loraA.5.weight`), {
      layer: 2,
      linear: 'gate',
      part: 'lora_A',
      expert: 5,
    });
    assert.deepEqual(parsePeftAdapterKey(`${p}.lora_B.default.loraB.1.mlp.weight`), {
      layer: 2,
      linear: 'gate',
      part: 'lora_B',
      expert: 1,
    });
    assert.deepEqual(parsePeftAdapterKey(`${p}.lora_A.default.weight`), { layer: 2, linear: 'gate', part: 'lora_A' });
  });

  it('refuses unknown keys with a CoinError', () => {
    for (const key of [
      'base_model.model.model.layers.0.self_attn.q_proj.weight',
      'base_model.model.model.layers.0.self_attn.x_proj.lora_A.weight',
      'base_model.model.model.layers.0.self_attn.q_proj.lora_A.loraB.0.weight',
      'base_model.model.lm_head.lora_A.weight',
      'model.layers.0.self_attn.q_proj.lora_A.weight',
    ]) {
      assert.throws(() => parsePeftAdapterKey(key), isCode('CHECKPOINT.UNKNOWN_KEY'), key);
    }
  });

  it('parses internal adapter names', () => {
    assert.deepEqual(parseInternalAdapterName(internalNames.adapter(4, 'gate', 'lora_router')), {
      layer: 4,
      linear: 'gate',
      part: 'lora_router',
    });
    assert.equal(internalNames.adapter(0, 'q', 'lora_A'), 'layers.0.attn.q.lora_A');
    assert.equal(parseInternalAdapterName('layers.0.attn.q.weight'), null);
  });
});

describe('base and projector names', () => {
  it('maps internal ↔ Hugging Face LLaMA/LLaVA names both ways', () => {
    const cases: [string, string, boolean][] = [
      [internalNames.embed, 'model.embed_tokens.weight', false],
      [internalNames.norm, 'model.norm.weight', false],
      [internalNames.head, 'lm_head.weight', true],
      [internalNames.attnNorm(2), 'model.layers.2.input_layernorm.weight', false],
      [internalNames.ffnNorm(2), 'model.layers.2.post_attention_layernorm.weight', false],
      [internalNames.linearWeight(2, 'k'), 'model.layers.2.self_attn.k_proj.weight', true],
      [internalNames.linearWeight(2, 'up'), 'model.layers.2.mlp.up_proj.weight', true],
      [internalNames.projector(0, 'weight'), 'model.mm_projector.0.weight', true],
      [internalNames.projector(2, 'bias'), 'model.mm_projector.2.bias', false],
    ];
    for (const [internal, hf, transpose] of cases) {
      assert.deepEqual(hfBaseName(internal), { name: hf, transpose });
      assert.equal(internalBaseName(hf), internal);
    }
    assert.throws(() => hfBaseName('vision.blocks.0.weight'), isCode('CHECKPOINT.UNKNOWN_KEY'));
    assert.throws(() => internalBaseName('model.vision_tower.x'), isCode('CHECKPOINT.UNKNOWN_KEY'));
  });

  it('uses LLaVA keys for non_lora_trainables and its strip rule on load (docs/protocol.md#stage-chaining)', () => {
    assert.equal(nonLoraSavedKey(internalNames.projector(0, 'weight')), 'base_model.model.model.mm_projector.0.weight');
    assert.equal(stripNonLoraPrefix('base_model.model.model.mm_projector.0.weight'), 'model.mm_projector.0.weight');
    assert.equal(stripNonLoraPrefix('model.model.mm_projector.2.bias'), 'model.mm_projector.2.bias');
    assert.equal(stripNonLoraPrefix('model.mm_projector.2.bias'), 'model.mm_projector.2.bias');
    assert.equal(internalBaseName('base_model.model.model.mm_projector.2.weight'), 'projector.2.weight');
  });
});
