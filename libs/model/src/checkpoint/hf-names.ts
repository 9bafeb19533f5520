import { CoinError } from '@coin/core';
import {
  type AdapterPart,
  type AdapterTensorRef,
  internalNames,
  LINEAR_NAMES,
  type LinearName,
} from '../internal-names.js';

/**
 * On-disk names: Hugging Face LLaMA / LLaVA for base weights and the projector, PEFT for LoRA
 * (docs/file-formats.md#checkpoints) and CoIN's MoELoRA (docs/file-formats.md#checkpoints). Adapter files carry no adapter name (`.default` is
 * removed on save, as PEFT does); the loader accepts it anyway.
 */

/** PEFT's wrapper prefix in front of the LLaVA model's own `model.` prefix. */
export const PEFT_PREFIX = 'base_model.model.';

const HF_LINEAR: Readonly<Record<LinearName, string>> = {
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  o: 'self_attn.o_proj',
  gate: 'mlp.gate_proj',
  up: 'mlp.up_proj',
  down: 'mlp.down_proj',
};

/** PEFT target_modules name of a linear (`q` → `q_proj`). */
export function peftTargetModule(linear: LinearName): string {
  return `${linear}_proj`;
}

export function linearFromTargetModule(module: string): LinearName | undefined {
  const short = module.endsWith('_proj') ? module.slice(0, -'_proj'.length) : module;
  return (LINEAR_NAMES as readonly string[]).includes(short) ? (short as LinearName) : undefined;
}

/** `base_model.model.model.layers.{L}.self_attn.q_proj`: the module path PEFT keys start with. */
function peftModulePath(layer: number, linear: LinearName): string {
  return `${PEFT_PREFIX}model.layers.${layer}.${HF_LINEAR[linear]}`;
}

export interface PeftTensorRef extends AdapterTensorRef {
  /** MoELoRA expert index for lora_A / lora_B; undefined for plain LoRA and for the router. */
  readonly expert?: number;
}

/**
 * The PEFT key of one adapter tensor.
 * LoRA:    `{P}.lora_A.weight` [r, in], `{P}.lora_B.weight` [out, r]
 * MoELoRA: `{P}.lora_A.loraA.{e}.mlp.weight` [r_e, in], `{P}.lora_B.loraB.{e}.mlp.weight` [out, r_e],
 *          `{P}.lora_router.weight` [E, in]
 */
export function peftAdapterKey(ref: PeftTensorRef): string {
  const path = peftModulePath(ref.layer, ref.linear);
  if (ref.part === 'lora_router') return `${path}.lora_router.weight`;
  if (ref.expert === undefined) return `${path}.${ref.part}.weight`;
  const inner = ref.part === 'lora_A' ? 'loraA' : 'loraB';
  return `${path}.${ref.part}.${inner}.${ref.expert}.mlp.weight`;
}

const PEFT_KEY =
  /^base_model\.model\.model\.layers\.(\d+)\.(self_attn\.(?:q|k|v|o)_proj|mlp\.(?:gate|up|down)_proj)\.(lora_A|lora_B|lora_router)(?:\.default)?(?:\.(loraA|loraB)\.(\d+)(?:\.mlp)?)?\.weight$/;

/**
 * Parse a PEFT adapter key (either MoELoRA spelling: `loraA.{e}.mlp.weight` or `loraA.{e}.weight`;
 * with or without the `.default` adapter name). Throws CoinError on anything else.
 */
export function parsePeftAdapterKey(key: string, source = 'adapter file'): PeftTensorRef {
  const m = PEFT_KEY.exec(key);
  const hfLinear = m?.[2];
  const linear =
    hfLinear === undefined ? undefined : (Object.entries(HF_LINEAR).find(([, v]) => v === hfLinear)?.[0] as LinearName);
  const part = m?.[3] as AdapterPart | undefined;
  const inner = m?.[4];
  const consistent =
    m !== null &&
    linear !== undefined &&
    (inner === undefined || (part === 'lora_A' && inner === 'loraA') || (part === 'lora_B' && inner === 'loraB'));
  if (!consistent || part === undefined) {
    throw new CoinError(
      'CHECKPOINT.UNKNOWN_KEY',
      'INVALID_ARGUMENT',
      `${source}: unknown adapter tensor ${JSON.stringify(key)}`,
      {
        hint: 'Expected PEFT keys like base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight (LoRA) or …lora_A.loraA.0.mlp.weight / …lora_router.weight (MoELoRA).',
        details: { key, source },
      },
    );
  }
  return { layer: Number(m[1]), linear, part, ...(m[5] === undefined ? {} : { expert: Number(m[5]) }) };
}

/** A base-model or projector weight: its HF name and whether the stored layout is transposed. */
export interface HfBaseName {
  readonly name: string;
  /** True for linears: internal [in, out] vs HF [out, in]. */
  readonly transpose: boolean;
}

const HF_BASE: readonly [RegExp, (m: RegExpExecArray) => HfBaseName][] = [
  [/^tok_embeddings$/, () => ({ name: 'model.embed_tokens.weight', transpose: false })],
  [/^norm$/, () => ({ name: 'model.norm.weight', transpose: false })],
  [/^lm_head$/, () => ({ name: 'lm_head.weight', transpose: true })],
  [/^layers\.(\d+)\.attn_norm$/, (m) => ({ name: `model.layers.${m[1]}.input_layernorm.weight`, transpose: false })],
  [
    /^layers\.(\d+)\.ffn_norm$/,
    (m) => ({ name: `model.layers.${m[1]}.post_attention_layernorm.weight`, transpose: false }),
  ],
  [
    /^layers\.(\d+)\.(?:attn|mlp)\.(q|k|v|o|gate|up|down)\.weight$/,
    (m) => ({ name: `model.layers.${m[1]}.${HF_LINEAR[m[2] as LinearName]}.weight`, transpose: true }),
  ],
  [/^projector\.(0|2)\.weight$/, (m) => ({ name: `model.mm_projector.${m[1]}.weight`, transpose: true })],
  [/^projector\.(0|2)\.bias$/, (m) => ({ name: `model.mm_projector.${m[1]}.bias`, transpose: false })],
];

/** HF name of an internal base/projector weight; CoinError for names with no HF counterpart. */
export function hfBaseName(internal: string): HfBaseName {
  for (const [pattern, build] of HF_BASE) {
    const m = pattern.exec(internal);
    if (m) return build(m);
  }
  throw new CoinError(
    'CHECKPOINT.UNKNOWN_KEY',
    'INVALID_ARGUMENT',
    `no Hugging Face name for model weight ${JSON.stringify(internal)}`,
    {
      hint: 'Base/projector weights are tok_embeddings, norm, lm_head, layers.{L}.{attn_norm,ffn_norm}, layers.{L}.attn|mlp.{…}.weight, projector.{0,2}.{weight,bias}.',
      details: { name: internal },
    },
  );
}

const HF_TO_INTERNAL: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^model\.embed_tokens\.weight$/, () => internalNames.embed],
  [/^model\.norm\.weight$/, () => internalNames.norm],
  [/^lm_head\.weight$/, () => internalNames.head],
  [/^model\.layers\.(\d+)\.input_layernorm\.weight$/, (m) => internalNames.attnNorm(Number(m[1]))],
  [/^model\.layers\.(\d+)\.post_attention_layernorm\.weight$/, (m) => internalNames.ffnNorm(Number(m[1]))],
  [
    /^model\.layers\.(\d+)\.(?:self_attn|mlp)\.(q|k|v|o|gate|up|down)_proj\.weight$/,
    (m) => internalNames.linearWeight(Number(m[1]), m[2] as LinearName),
  ],
  [
    /^model\.mm_projector\.(0|2)\.(weight|bias)$/,
    (m) => internalNames.projector(Number(m[1]) as 0 | 2, m[2] as 'weight' | 'bias'),
  ],
];

/** Internal name of an HF base/projector weight; CoinError on an unknown key. */
export function internalBaseName(hfName: string, source = 'checkpoint'): string {
  const key = stripNonLoraPrefix(hfName);
  for (const [pattern, build] of HF_TO_INTERNAL) {
    const m = pattern.exec(key);
    if (m) return build(m);
  }
  throw new CoinError(
    'CHECKPOINT.UNKNOWN_KEY',
    'INVALID_ARGUMENT',
    `${source}: unknown model tensor ${JSON.stringify(hfName)}`,
    {
      hint: 'Expected Hugging Face LLaMA/LLaVA names (model.layers.{L}.self_attn.q_proj.weight, model.mm_projector.0.weight, …).',
      details: { key: hfName, source },
    },
  );
}

/**
 * docs/protocol.md#stage-chaining: keys of non_lora_trainables are stripped of a leading `base_model.`, then of a
 * leading `model.` if the key starts with `model.model.`:
 * `base_model.model.model.mm_projector.0.weight` → `model.mm_projector.0.weight`.
 */
export function stripNonLoraPrefix(key: string): string {
  let k = key.startsWith('base_model.') ? key.slice('base_model.'.length) : key;
  if (k.startsWith('model.model.')) k = k.slice('model.'.length);
  return k;
}

/** The key LLaVA saves a projector tensor under in non_lora_trainables (inside the PEFT wrapper). */
export function nonLoraSavedKey(internal: string): string {
  return `${PEFT_PREFIX}${hfBaseName(internal).name}`;
}
