import { CoinError } from '@coin/core';
import { type HostTensor } from '@coin/runtime';
import { type AdapterSpec } from './adapter-config.js';
import { parsePeftAdapterKey, peftAdapterKey, type PeftTensorRef } from './hf-names.js';
import { type AdapterPart, internalNames, type LinearName, parseInternalAdapterName } from '../internal-names.js';
import { requireMatrix, sliceRows, stackRows, transpose2d } from './layout.js';

/**
 * Internal adapter tensors ([in, out] layout, MoELoRA experts concatenated) → PEFT tensors
 * ([out, in] layout, one tensor per expert). Exact: only copies.
 *
 *   lora_A [in, r]        → lora_A.weight [r, in]          | MoE: loraA.{e}.mlp.weight [r_e, in] = rows e·r_e… of Aᵀ
 *   lora_B [r, out]       → lora_B.weight [out, r]         | MoE: loraB.{e}.mlp.weight [out, r_e] = (rows e·r_e… of B)ᵀ
 *   lora_router [in, E]   → lora_router.weight [E, in]
 */
export function adapterTensorsToPeft(
  weights: ReadonlyMap<string, HostTensor>,
  spec: AdapterSpec,
): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  const expertRank = spec.rank / spec.experts;
  for (const [name, t] of weights) {
    const ref = parseInternalAdapterName(name);
    if (ref === null) {
      throw new CoinError(
        'CHECKPOINT.UNKNOWN_KEY',
        'INVALID_ARGUMENT',
        `${JSON.stringify(name)} is not an adapter tensor name`,
        {
          hint: 'Adapter tensors are named layers.{L}.attn|mlp.{linear}.lora_A|lora_B|lora_router (see libs/model/src/internal-names.ts).',
          details: { name },
        },
      );
    }
    checkTarget(spec, ref.linear, name);
    if (ref.part === 'lora_router') {
      if (spec.kind !== 'moelora')
        throw new CoinError(
          'CHECKPOINT.UNKNOWN_KEY',
          'INVALID_ARGUMENT',
          `${name}: a router only exists in MoELoRA adapters`,
        );
      out[peftAdapterKey(ref)] = transpose2d(t, name);
      continue;
    }
    const [rows, cols] = requireMatrix(t, name);
    const rank = ref.part === 'lora_A' ? cols : rows;
    if (rank !== spec.rank) {
      throw new CoinError(
        'CHECKPOINT.BAD_SHAPE',
        'INVALID_ARGUMENT',
        `${name} has rank ${rank} but the adapter rank is ${spec.rank}`,
        { details: { name, dims: t.dims } },
      );
    }
    if (spec.kind === 'lora') {
      out[peftAdapterKey(ref)] = transpose2d(t, name);
      continue;
    }
    // A: transpose first so that each expert is a block of rows; B: rows are already per expert.
    const stacked = ref.part === 'lora_A' ? transpose2d(t, name) : t;
    for (let e = 0; e < spec.experts; e++) {
      const block = sliceRows(stacked, e * expertRank, expertRank, name);
      out[peftAdapterKey({ ...ref, expert: e })] = ref.part === 'lora_A' ? block : transpose2d(block, name);
    }
  }
  return out;
}

/**
 * PEFT tensors → internal adapter tensors; the exact inverse of adapterTensorsToPeft. Accepts both
 * MoELoRA spellings (`loraA.{e}.mlp.weight` and `loraA.{e}.weight`). Unknown keys, missing or
 * surplus experts, experts of rank other than r / E, missing A/B/router tensors, and a target
 * module missing from a layer are CoinErrors naming the key.
 */
export function adapterTensorsFromPeft(
  tensors: Readonly<Record<string, HostTensor>>,
  spec: AdapterSpec,
  source = 'adapter file',
): Map<string, HostTensor> {
  // module (layer, linear) → part → expert index (-1 for unsplit) → tensor
  const modules = new Map<
    string,
    { layer: number; linear: LinearName; parts: Map<AdapterPart, Map<number, HostTensor>> }
  >();
  for (const [key, t] of Object.entries(tensors)) {
    const ref: PeftTensorRef = parsePeftAdapterKey(key, source);
    checkTarget(spec, ref.linear, `${source}: ${key}`);
    const isMoe = spec.kind === 'moelora';
    const expected =
      ref.part === 'lora_router' ? isMoe && ref.expert === undefined : isMoe === (ref.expert !== undefined);
    if (!expected) {
      throw new CoinError(
        'CHECKPOINT.UNKNOWN_KEY',
        'INVALID_ARGUMENT',
        `${source}: key ${key} does not belong to a ${spec.kind === 'lora' ? 'LoRA' : 'MoELoRA'} adapter`,
        {
          hint: 'adapter_config.json peft_type and the tensor names disagree.',
          details: { key, source },
        },
      );
    }
    const moduleKey = `${ref.layer}/${ref.linear}`;
    let entry = modules.get(moduleKey);
    if (!entry) modules.set(moduleKey, (entry = { layer: ref.layer, linear: ref.linear, parts: new Map() }));
    let experts = entry.parts.get(ref.part);
    if (!experts) entry.parts.set(ref.part, (experts = new Map()));
    const index = ref.expert ?? -1;
    if (experts.has(index)) {
      throw new CoinError(
        'CHECKPOINT.DUPLICATE_KEY',
        'DATA_LOSS',
        `${source}: ${key} appears twice (both MoELoRA spellings of one expert?)`,
        { details: { key, source } },
      );
    }
    experts.set(index, t);
  }

  requireEveryTarget(modules, spec, source);
  const out = new Map<string, HostTensor>();
  const required: AdapterPart[] = spec.kind === 'moelora' ? ['lora_A', 'lora_B', 'lora_router'] : ['lora_A', 'lora_B'];
  for (const { layer, linear, parts } of modules.values()) {
    for (const part of required) {
      const name = internalNames.adapter(layer, linear, part);
      const experts = parts.get(part);
      const missingKey = peftAdapterKey({
        layer,
        linear,
        part,
        ...(spec.kind === 'moelora' && part !== 'lora_router' ? { expert: 0 } : {}),
      });
      if (!experts) throw missing(source, missingKey);
      if (spec.kind === 'lora' || part === 'lora_router') {
        out.set(name, checkRank(transpose2d(experts.get(-1) as HostTensor, name), part, spec, source));
        continue;
      }
      const blocks: HostTensor[] = [];
      for (let e = 0; e < spec.experts; e++) {
        const block = experts.get(e);
        const key = peftAdapterKey({ layer, linear, part, expert: e });
        if (!block) throw missing(source, key);
        checkExpertRank(block, part, spec, `${source}: ${key}`);
        blocks.push(part === 'lora_A' ? block : transpose2d(block, name));
      }
      if (experts.size !== spec.experts) {
        throw new CoinError(
          'CHECKPOINT.BAD_SHAPE',
          'INVALID_ARGUMENT',
          `${source}: ${name} has ${experts.size} experts but expert_num is ${spec.experts}`,
        );
      }
      const stacked = stackRows(blocks, name);
      out.set(name, checkRank(part === 'lora_A' ? transpose2d(stacked, name) : stacked, part, spec, source));
    }
  }
  return out;
}

/**
 * Every target module in every layer up to the last one the file mentions (a layer past it is
 * indistinguishable from a smaller model; the model's weight lookup catches that).
 */
function requireEveryTarget(modules: ReadonlyMap<string, { layer: number }>, spec: AdapterSpec, source: string): void {
  const layers = Math.max(1, ...[...modules.values()].map((m) => m.layer + 1)); // an empty file lacks layer 0
  for (let layer = 0; layer < layers; layer++) {
    for (const linear of spec.targets) {
      if (!modules.has(`${layer}/${linear}`))
        throw missing(
          source,
          peftAdapterKey({ layer, linear, part: 'lora_A', ...(spec.kind === 'moelora' ? { expert: 0 } : {}) }),
        );
    }
  }
}

/** One MoELoRA expert in PEFT layout: A [r_e, in], B [out, r_e], with r_e = r / E for every expert. */
function checkExpertRank(block: HostTensor, part: AdapterPart, spec: AdapterSpec, where: string): void {
  const [rows, cols] = requireMatrix(block, where);
  const rank = part === 'lora_A' ? rows : cols;
  const expertRank = spec.rank / spec.experts;
  if (rank !== expertRank) {
    throw new CoinError(
      'CHECKPOINT.BAD_SHAPE',
      'INVALID_ARGUMENT',
      `${where} has rank ${rank} but every expert must have rank r / expert_num = ${spec.rank} / ${spec.experts} = ${expertRank}`,
      {
        hint: 'adapter_config.json and the tensors disagree; they must come from the same save.',
        details: { dims: block.dims },
      },
    );
  }
}

/** Internal layout check: A [in, r], B [r, out], router [in, E]. */
function checkRank(t: HostTensor, part: AdapterPart, spec: AdapterSpec, source: string): HostTensor {
  const size = part === 'lora_B' ? t.dims[0] : t.dims[1];
  const expected = part === 'lora_router' ? spec.experts : spec.rank;
  if (size !== expected) {
    throw new CoinError(
      'CHECKPOINT.BAD_SHAPE',
      'INVALID_ARGUMENT',
      `${source}: ${part} of shape [${t.dims.join(', ')}] (internal layout) does not match ${part === 'lora_router' ? 'expert_num' : 'r'} = ${expected}`,
      {
        hint: 'adapter_config.json and the tensors disagree; they must come from the same save.',
      },
    );
  }
  return t;
}

function checkTarget(spec: AdapterSpec, linear: LinearName, where: string): void {
  if (!spec.targets.includes(linear)) {
    throw new CoinError(
      'CHECKPOINT.UNKNOWN_KEY',
      'INVALID_ARGUMENT',
      `${where}: ${linear} is not among the adapter's target modules (${spec.targets.join(', ')})`,
    );
  }
}

function missing(source: string, key: string): CoinError {
  return new CoinError('CHECKPOINT.MISSING_KEY', 'DATA_LOSS', `${source}: missing adapter tensor ${key}`, {
    hint: 'The adapter file is incomplete; save it again.',
    details: { key, source },
  });
}
