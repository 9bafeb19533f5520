import { CoinError, hash32 } from '@coin/core';
import type { TensorData } from '@coin/onnx';
import { type AdapterConfig, type DecoderConfig, initAdapter, mergeLora, type WeightMap } from '@coin/model';

/** The earlier stages' lora_A of each module, keyed by the lora_A name the new adapter reuses. */
export type EarlierAdapters = ReadonlyMap<string, readonly TensorData[]>;

/**
 * A stage's new LoRA: initialised as PEFT does (A Kaiming-uniform, B zero, so the model starts
 * where the last stage ended) from a stream of its own, so that its A is not a copy of an earlier
 * one: equal A's would start the orthogonality penalty at its largest.
 */
export function freshAdapter(decoder: DecoderConfig, adapter: AdapterConfig, seed: number, stage: number): WeightMap {
  requireLora(adapter);
  return initAdapter(decoder, adapter, hash32(`${seed}|olora|${stage}`));
}

/**
 * Ends an O-LoRA stage: the trained LoRA is folded into the frozen base (W ← W + s·A·B, as the
 * next stage and the evaluation see it) and its A's join the earlier ones the next adapter must
 * stay orthogonal to. `weights` holds the base and the stage's adapter; the result's base has none.
 */
export function retireAdapter(
  weights: ReadonlyMap<string, TensorData>,
  adapter: AdapterConfig,
  earlier: EarlierAdapters,
): { base: Map<string, TensorData>; earlier: Map<string, TensorData[]> } {
  requireLora(adapter);
  const next = new Map([...earlier].map(([name, list]) => [name, [...list]]));
  for (const [name, t] of weights) {
    if (!name.endsWith('.lora_A')) continue;
    next.set(name, [
      ...(next.get(name) ?? []),
      { dtype: 'float32', dims: t.dims, data: Float32Array.from(t.data as Float32Array) },
    ]);
  }
  return { base: mergeLora(weights, adapter), earlier: next }; // mergeLora drops the adapter tensors
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
