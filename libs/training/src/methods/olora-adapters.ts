import { CoinError, hash32 } from '@coin/core';
import { type AdapterConfig, type DecoderConfig, initAdapter, type WeightMap } from '@coin/model';

/**
 * A stage's new LoRA: initialised as PEFT does (A Kaiming-uniform, B zero, so the model starts
 * where the last stage ended) from a stream of its own, so that its A is not a copy of an earlier
 * one: equal A's would start the orthogonality penalty at its largest.
 */
export function freshAdapter(decoder: DecoderConfig, adapter: AdapterConfig, seed: number, stage: number): WeightMap {
  requireLora(adapter);
  return initAdapter(decoder, adapter, hash32(`${seed}|olora|${stage}`));
}

function requireLora(adapter: AdapterConfig): void {
  if (adapter.kind !== 'lora')
    throw new CoinError(
      'METHOD.BAD_ADAPTER',
      'INVALID_ARGUMENT',
      `olora trains plain LoRA adapters, got ${adapter.kind}`,
      {
        hint: "O-LoRA merges each stage's LoRA into the base; MoELoRA and full tuning cannot be merged that way.",
      },
    );
}
