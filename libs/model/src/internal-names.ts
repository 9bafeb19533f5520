/**
 * The model's internal weight names: THE one place that spells them (the network code and the
 * checkpoint mapping both use these functions). They follow nanoGPT/LLaMA-reference style and
 * store every linear as [in, out] (so `x @ W` needs no transpose); Hugging Face / PEFT files store
 * [out, in], and the checkpoint mapping transposes.
 *
 *   tok_embeddings                      [vocab, dim]
 *   layers.{L}.attn_norm                [dim]          RMSNorm gain before attention
 *   layers.{L}.ffn_norm                 [dim]          RMSNorm gain before the MLP
 *   layers.{L}.attn.{q,k,v,o}.weight    [in, out]
 *   layers.{L}.mlp.{gate,up,down}.weight [in, out]
 *   norm                                [dim]
 *   lm_head                             [dim, vocab]   absent with tied embeddings
 *   projector.{0,2}.weight / .bias      [in, out] / [out]   mlp2x_gelu (0 = first Linear, 2 = second)
 *   <linear path>.lora_A                [in, r]        LoRA A; MoELoRA: E experts side by side, [in, E·r_e]
 *   <linear path>.lora_B                [r, out]       LoRA B; MoELoRA: experts stacked, [E·r_e, out]
 *   <linear path>.lora_router           [in, E]        MoELoRA router W_g
 *
 * where <linear path> is `layers.{L}.attn.{q,k,v,o}` or `layers.{L}.mlp.{gate,up,down}`.
 */

/** The adaptable linears of a LLaMA block, by our short name. */
export const LINEAR_NAMES = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
export type LinearName = (typeof LINEAR_NAMES)[number];

export type AdapterPart = 'lora_A' | 'lora_B' | 'lora_router';

export const internalNames = {
  embed: 'tok_embeddings',
  norm: 'norm',
  head: 'lm_head',
  attnNorm: (layer: number): string => `layers.${layer}.attn_norm`,
  ffnNorm: (layer: number): string => `layers.${layer}.ffn_norm`,
  /** `layers.3.attn.q`, `layers.3.mlp.down`: the linear's path; its weight is `${path}.weight`. */
  linear: (layer: number, linear: LinearName): string =>
    linear === 'gate' || linear === 'up' || linear === 'down'
      ? `layers.${layer}.mlp.${linear}`
      : `layers.${layer}.attn.${linear}`,
  linearWeight: (layer: number, linear: LinearName): string => `${internalNames.linear(layer, linear)}.weight`,
  adapter: (layer: number, linear: LinearName, part: AdapterPart): string =>
    `${internalNames.linear(layer, linear)}.${part}`,
  /** `index` 0 = first Linear (vision width → dim), 2 = second (dim → dim), as in nn.Sequential. */
  projector: (index: 0 | 2, kind: 'weight' | 'bias'): string => `projector.${index}.${kind}`,
};

export interface AdapterTensorRef {
  readonly layer: number;
  readonly linear: LinearName;
  readonly part: AdapterPart;
}

const ADAPTER_NAME = /^layers\.(\d+)\.(?:attn\.(q|k|v|o)|mlp\.(gate|up|down))\.(lora_A|lora_B|lora_router)$/;

/** Parse an internal adapter name; null when it is not one. */
export function parseInternalAdapterName(name: string): AdapterTensorRef | null {
  const m = ADAPTER_NAME.exec(name);
  if (!m) return null;
  return { layer: Number(m[1]), linear: (m[2] ?? m[3]) as LinearName, part: m[4] as AdapterPart };
}

export function isAdapterName(name: string): boolean {
  return name.includes('.lora_');
}
