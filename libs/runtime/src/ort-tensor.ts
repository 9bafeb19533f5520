/**
 * HostTensor ⇄ ort.Tensor, and the checks that turn a bad feed into an error naming the input.
 * ORT's own messages for a wrong dtype do not say which input was wrong, and it silently ignores
 * feeds the model does not have (usually a typo), so feeds are checked here before every run.
 */
import { CoinError } from '@coin/core';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { hostTensor, isDType, type DType, type HostTensor } from './tensor.js';

/** A model input or output as the session reports it; a string dim is symbolic, -1 unknown. */
export interface IoSpec {
  readonly name: string;
  /** Undefined for non-tensor values and dtypes HostTensor cannot hold. */
  readonly dtype: DType | undefined;
  readonly ortType: string;
  readonly dims: ReadonlyArray<number | string> | undefined;
}

export function ioSpecs(metadata: readonly InferenceSession.ValueMetadata[]): IoSpec[] {
  return metadata.map((m) =>
    m.isTensor
      ? { name: m.name, dtype: isDType(m.type) ? m.type : undefined, ortType: m.type, dims: m.shape }
      : { name: m.name, dtype: undefined, ortType: 'non-tensor', dims: undefined },
  );
}

export function toOrtTensor(t: HostTensor): Tensor {
  // ORT's constructor only needs the right typed array for the dtype, which hostTensor guarantees.
  return new Tensor(t.dtype, t.data as Float32Array, t.dims);
}

export function fromOrtTensor(name: string, t: Tensor): HostTensor {
  if (!isDType(t.type)) {
    throw new CoinError(
      'RUNTIME.UNSUPPORTED_OUTPUT',
      'UNIMPLEMENTED',
      `output ${JSON.stringify(name)} has type ${t.type}, which HostTensor cannot hold`,
      {
        hint: 'Cast it to one of float32, float64, float16, int64, int32, int8, uint8, bool inside the graph',
      },
    );
  }
  let data = t.data as HostTensor['data'];
  // Newer runtimes may hand float16 out as Float16Array; HostTensor keeps the raw bits.
  if (t.type === 'float16' && !(data instanceof Uint16Array))
    data = new Uint16Array(data.buffer, data.byteOffset, data.length);
  return hostTensor(t.type, t.dims, data);
}

/** RUNTIME.BAD_FEED for an input, RUNTIME.BAD_OUTPUT for a preallocated output. */
function ioError(
  role: 'input' | 'output',
  name: string,
  message: string,
  details: Record<string, unknown> = {},
): CoinError {
  return role === 'input'
    ? new CoinError('RUNTIME.BAD_FEED', 'INVALID_ARGUMENT', message, {
        hint: 'feed every model input with its declared dtype and dims (see session.inputs)',
        details: { input: name, ...details },
      })
    : new CoinError('RUNTIME.BAD_OUTPUT', 'INVALID_ARGUMENT', message, {
        hint: 'a preallocated output must have the dtype and dims the model produces (see session.outputs)',
        details: { output: name, ...details },
      });
}

function describeDims(dims: ReadonlyArray<number | string>): string {
  return `[${dims.map((d) => (typeof d === 'string' ? d || '?' : d < 0 ? '?' : d)).join(', ')}]`;
}

/** Throws RUNTIME.BAD_FEED for a tensor that does not fit `spec` (dtype, rank, fixed dims). */
export function checkAgainstSpec(spec: IoSpec, t: HostTensor, role: 'input' | 'output'): void {
  const label = `${role} ${JSON.stringify(spec.name)}`;
  const fail = (message: string, details: Record<string, unknown> = {}) => ioError(role, spec.name, message, details);
  try {
    hostTensor(t.dtype, t.dims, t.data);
  } catch (e) {
    throw fail(`${label}: ${(e as Error).message}`);
  }
  if (spec.dtype !== undefined && t.dtype !== spec.dtype) {
    throw fail(`${label} is ${t.dtype}, the model expects ${spec.dtype}`, { expected: spec.dtype, actual: t.dtype });
  }
  if (spec.dims === undefined) return;
  if (t.dims.length !== spec.dims.length) {
    throw fail(
      `${label} has dims [${t.dims.join(', ')}] (rank ${t.dims.length}), the model expects ${describeDims(spec.dims)} (rank ${spec.dims.length})`,
    );
  }
  spec.dims.forEach((want, i) => {
    if (typeof want === 'number' && want >= 0 && t.dims[i] !== want) {
      throw fail(
        `${label} has dims [${t.dims.join(', ')}], the model expects ${describeDims(spec.dims ?? [])} (dim ${i} must be ${want})`,
      );
    }
  });
}

/** Every input fed, nothing extra, each fitting its spec. */
export function checkFeeds(inputs: readonly IoSpec[], feeds: Readonly<Record<string, HostTensor>>): void {
  const known = new Set(inputs.map((s) => s.name));
  for (const name of Object.keys(feeds)) {
    if (!known.has(name)) {
      throw ioError(
        'input',
        name,
        `feed ${JSON.stringify(name)} is not an input of the model (inputs: ${[...known].join(', ')})`,
      );
    }
  }
  for (const spec of inputs) {
    const t = feeds[spec.name];
    if (t === undefined)
      throw ioError('input', spec.name, `input ${JSON.stringify(spec.name)} is missing from the feeds`);
    checkAgainstSpec(spec, t, 'input');
  }
}
