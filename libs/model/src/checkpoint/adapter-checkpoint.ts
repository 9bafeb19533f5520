import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError, writeFileAtomic } from '@coin/core';
import { float16ToFloat32 } from '@coin/onnx';
import { type HostTensor, readSafetensorsFile, writeSafetensorsFile } from '@coin/runtime';
import { type AdapterSpec, parsePeftAdapterConfig, peftAdapterConfig } from './adapter-config.js';
import { adapterTensorsFromPeft, adapterTensorsToPeft } from './adapter-tensors.js';
import { hfBaseName, nonLoraSavedKey } from './hf-names.js';
import { hfTensorsToInternal } from './base-tensors.js';
import { isAdapterName } from '../internal-names.js';
import { transpose2d } from './layout.js';

/** File names in an adapter checkpoint directory (docs/file-formats.md#checkpoints, safetensors instead of .bin). */
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
export const NON_LORA_FILE = 'non_lora_trainables.safetensors';

export interface AdapterCheckpoint {
  readonly spec: AdapterSpec;
  /** Internal names → tensors: adapter tensors plus trained non-adapter tensors (the projector). */
  readonly weights: Map<string, HostTensor>;
}

export interface SaveAdapterOptions {
  /** base_model_name_or_path in adapter_config.json. */
  readonly baseModel?: string;
}

/**
 * Save adapter tensors (`*.lora_*`) to adapter_model.safetensors under PEFT names, the other
 * trained tensors (the projector) to non_lora_trainables.safetensors under the keys LLaVA saves
 * (`base_model.model.model.mm_projector.0.weight`), and adapter_config.json. Every file is
 * written atomically; the config goes last, so a directory with a config is complete.
 */
export async function saveAdapterCheckpoint(
  dir: string,
  checkpoint: AdapterCheckpoint,
  options: SaveAdapterOptions = {},
): Promise<void> {
  const adapter = new Map<string, HostTensor>();
  const nonLora: Record<string, HostTensor> = {};
  for (const [name, t] of checkpoint.weights) {
    if (isAdapterName(name)) {
      adapter.set(name, t);
    } else {
      const { transpose } = hfBaseName(name);
      nonLora[nonLoraSavedKey(name)] = transpose ? transpose2d(t, name) : t;
    }
  }
  const metadata = { format: 'pt' }; // what PEFT/transformers write; readers check it
  await writeSafetensorsFile(join(dir, ADAPTER_WEIGHTS_FILE), adapterTensorsToPeft(adapter, checkpoint.spec), metadata);
  await writeSafetensorsFile(join(dir, NON_LORA_FILE), nonLora, metadata);
  const config = peftAdapterConfig(checkpoint.spec, options.baseModel ?? '');
  await writeFileAtomic(join(dir, ADAPTER_CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

/**
 * Load what saveAdapterCheckpoint wrote (or a PEFT/CoIN directory converted to safetensors):
 * bit-exact round trip. non_lora_trainables keys are normalised with LLaVA's strip rule (docs/protocol.md#stage-chaining);
 * the file is optional. Corrupt or truncated files fail with DATA_LOSS (safetensors reader).
 * Half-precision tensors (LLaVA saves adapters in the training dtype, fp16 or bf16) come back as
 * float32, which the model computes in: the reader widens bfloat16, and float16 is widened here.
 * Both are exact.
 */
export async function loadAdapterCheckpoint(dir: string): Promise<AdapterCheckpoint> {
  const configPath = join(dir, ADAPTER_CONFIG_FILE);
  let configText: string;
  try {
    configText = await readFile(configPath, 'utf8');
  } catch (cause) {
    throw new CoinError(
      'CHECKPOINT.NOT_FOUND',
      'NOT_FOUND',
      `no adapter checkpoint in ${dir}: cannot read ${ADAPTER_CONFIG_FILE}`,
      {
        cause,
        hint: 'Point at a directory written by a training stage (adapter_config.json + adapter_model.safetensors).',
      },
    );
  }
  let configJson: unknown;
  try {
    configJson = JSON.parse(configText);
  } catch (cause) {
    throw new CoinError('CHECKPOINT.CORRUPT', 'DATA_LOSS', `${configPath} is not valid JSON`, { cause });
  }
  const spec = parsePeftAdapterConfig(configJson, configPath);
  const weightsPath = join(dir, ADAPTER_WEIGHTS_FILE);
  const adapterFile = await readSafetensorsFile(weightsPath);
  const weights = adapterTensorsFromPeft(widenFloat16(adapterFile.tensors), spec, weightsPath);
  const nonLoraPath = join(dir, NON_LORA_FILE);
  for (const [name, t] of hfTensorsToInternal(widenFloat16(await readOptionalSafetensors(nonLoraPath)), {
    source: nonLoraPath,
  }))
    weights.set(name, t);
  return { spec, weights };
}

async function readOptionalSafetensors(path: string): Promise<Record<string, HostTensor>> {
  try {
    return (await readSafetensorsFile(path)).tensors;
  } catch (e) {
    if (e instanceof CoinError && e.kind === 'NOT_FOUND') return {};
    throw e;
  }
}

function widenFloat16(tensors: Readonly<Record<string, HostTensor>>): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [key, t] of Object.entries(tensors)) {
    out[key] =
      t.dtype === 'float16' ? { dtype: 'float32', dims: t.dims, data: float16ToFloat32(t.data as Uint16Array) } : t;
  }
  return out;
}
