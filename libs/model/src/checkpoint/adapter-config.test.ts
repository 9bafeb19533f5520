import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { type AdapterSpec, parsePeftAdapterConfig, peftAdapterConfig } from './adapter-config.js';

const lora: AdapterSpec = {
  kind: 'lora',
  rank: 128,
  alpha: 256,
  dropout: 0.05,
  targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
  experts: 1,
};
const moe: AdapterSpec = { ...lora, kind: 'moelora', experts: 8 };
const isCode = (code: string, field?: string) => (e: unknown) =>
  e instanceof CoinError && e.code === code && (field === undefined || e.details.field === field);

describe('adapter_config.json', () => {
  it('writes PEFT 0.4 LoRA fields', () => {
    assert.deepEqual(peftAdapterConfig(lora, 'coin-tiny'), {
      base_model_name_or_path: 'coin-tiny',
      bias: 'none',
      fan_in_fan_out: false,
      inference_mode: true,
      init_lora_weights: true,
      layers_pattern: null,
      layers_to_transform: null,
      lora_alpha: 256,
      lora_dropout: 0.05,
      modules_to_save: null,
      peft_type: 'LORA',
      r: 128,
      revision: null,
      target_modules: ['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj'],
      task_type: 'CAUSAL_LM',
    });
  });

  it('writes the CoIN MoELoRA variant', () => {
    const c = peftAdapterConfig(moe);
    assert.equal(c.peft_type, 'MOE_LORA_CoIN');
    assert.equal(c.task_type, 'CAUSAL_LM_CoIN');
    assert.equal(c.expert_num, 8);
    assert.equal(c.task_embedding_dim, 64);
  });

  it('reads back what it writes', () => {
    assert.deepEqual(parsePeftAdapterConfig(peftAdapterConfig(lora)), lora);
    assert.deepEqual(parsePeftAdapterConfig(peftAdapterConfig(moe)), moe);
    const partial: AdapterSpec = { ...lora, targets: ['q', 'v'], rank: 8, alpha: 16 };
    assert.deepEqual(parsePeftAdapterConfig(JSON.parse(JSON.stringify(peftAdapterConfig(partial)))), partial);
  });

  it('names the bad field', () => {
    const base = peftAdapterConfig(lora);
    assert.throws(
      () => parsePeftAdapterConfig({ ...base, peft_type: 'IA3' }),
      isCode('CHECKPOINT.BAD_ADAPTER_CONFIG', 'peft_type'),
    );
    assert.throws(
      () => parsePeftAdapterConfig({ ...base, target_modules: ['q_proj', 'c_attn'] }),
      isCode('CHECKPOINT.BAD_ADAPTER_CONFIG', 'target_modules'),
    );
    assert.throws(
      () => parsePeftAdapterConfig({ ...base, bias: 'all' }),
      isCode('CHECKPOINT.BAD_ADAPTER_CONFIG', 'bias'),
    );
    assert.throws(() => parsePeftAdapterConfig({ ...base, r: 0 }), isCode('CHECKPOINT.BAD_ADAPTER_CONFIG', 'r'));
    assert.throws(
      () =>
        parsePeftAdapterConfig(
          JSON.parse('{"peft_type": "LORA", "r": 8, "lora_alpha": 1e999, "target_modules": ["q_proj"]}'),
        ),
      isCode('CHECKPOINT.BAD_ADAPTER_CONFIG', 'lora_alpha'),
    );
    assert.throws(
      () => parsePeftAdapterConfig({ ...peftAdapterConfig(moe), expert_num: 3 }),
      isCode('CHECKPOINT.BAD_ADAPTER_CONFIG', 'r'),
    );
    assert.throws(() => parsePeftAdapterConfig([]), isCode('CHECKPOINT.BAD_ADAPTER_CONFIG'));
  });

  it('refuses newer PEFT options that change the adapter (rsLoRA, DoRA, per-module rank or alpha), accepts them off', () => {
    const base = peftAdapterConfig(lora);
    const off = { ...base, use_rslora: false, use_dora: false, rank_pattern: {}, alpha_pattern: {} };
    assert.deepEqual(parsePeftAdapterConfig(off), lora);
    for (const [field, value] of [
      ['use_rslora', true],
      ['use_dora', true],
      ['rank_pattern', { q_proj: 4 }],
      ['alpha_pattern', { 'model.layers.0.self_attn.q_proj': 8 }],
    ] as const) {
      assert.throws(
        () => parsePeftAdapterConfig({ ...base, [field]: value }),
        (e: unknown) =>
          isCode('CHECKPOINT.BAD_ADAPTER_CONFIG', field)(e) &&
          (e as CoinError).message.includes(field) &&
          (e as CoinError).message.includes('PEFT 0.4'),
      );
    }
  });
});
