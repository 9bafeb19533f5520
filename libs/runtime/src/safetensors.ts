/**
 * The Hugging Face safetensors format (https://huggingface.co/docs/safetensors), read and written
 * byte-for-byte like the reference Rust writer:
 *
 *   [8 bytes: N, u64 little-endian][N bytes: JSON header, space-padded to a multiple of 8][data]
 *
 * The header maps tensor names to {dtype, shape, data_offsets: [begin, end)} (offsets relative to the
 * data section) plus an optional "__metadata__" string→string map. The writer orders tensors by
 * descending dtype (the reference enum order, i.e. by decreasing alignment) and then by name (bytes),
 * lays their data out contiguously in that order, and emits the header entries in that order with
 * "__metadata__" first. The reader accepts any header order but requires the offsets to tile the data
 * section exactly, as the reference reader does.
 *
 * BF16 has no HostTensor dtype (ORT has no bfloat16 tensors in Node): it is read widened to float32,
 * which is exact, and cannot be written.
 */
import { CoinError } from '@coin/core';
import { DTYPE_ARRAYS } from '@coin/onnx';
import { DTYPE_BYTES, hostTensor, sizeOf, tensorBytes, type DType, type HostTensor } from './tensor.js';

/** The reference reader refuses headers over 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Safetensors dtype names in the reference `Dtype` enum order (the writer sorts by it, descending). */
const ST_DTYPE_ORDER = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
];

const TO_ST: Readonly<Record<DType, string>> = {
  bool: 'BOOL',
  uint8: 'U8',
  int8: 'I8',
  float16: 'F16',
  int32: 'I32',
  float32: 'F32',
  float64: 'F64',
  int64: 'I64',
};

const FROM_ST: Readonly<Record<string, DType>> = Object.fromEntries(
  Object.entries(TO_ST).map(([d, s]) => [s, d as DType]),
);

/** Element size in bytes of every safetensors dtype, including those we only validate. */
const ST_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

export interface SafetensorsContents {
  tensors: Record<string, HostTensor>;
  metadata: Record<string, string>;
}

export interface ReadSafetensorsOptions {
  /** Named in error messages (e.g. the file path). */
  source?: string;
}

function corrupt(source: string | undefined, what: string, details: Record<string, unknown> = {}): CoinError {
  const where = source ? `${source}: ` : '';
  return new CoinError('SAFETENSORS.CORRUPT', 'DATA_LOSS', `${where}not a valid safetensors file: ${what}`, {
    hint: 'the file is truncated or damaged; write it again from its source',
    details: source ? { source, ...details } : details,
  });
}

/** Compares strings by their UTF-8 bytes, as Rust's `String: Ord` does. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The serialized bytes of `tensors`, identical to what the reference writer produces for them. */
export function writeSafetensors(
  tensors: Readonly<Record<string, HostTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const entries = Object.entries(tensors).map(([name, t]) => {
    if (name === '__metadata__') {
      throw new CoinError(
        'SAFETENSORS.BAD_NAME',
        'INVALID_ARGUMENT',
        'a tensor cannot be named "__metadata__" (reserved by the format)',
      );
    }
    hostTensor(t.dtype, t.dims, t.data); // validates dtype, data class and length
    return { name, tensor: t, st: TO_ST[t.dtype] };
  });
  entries.sort((a, b) => ST_DTYPE_ORDER.indexOf(b.st) - ST_DTYPE_ORDER.indexOf(a.st) || compareUtf8(a.name, b.name));

  // The header is assembled by hand, not with JSON.stringify on an object, because JS objects move
  // integer-like keys ("0", "12") to the front and the order of entries is part of the format.
  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata).sort(compareUtf8);
    for (const k of keys) {
      if (typeof metadata[k] !== 'string') {
        throw new CoinError(
          'SAFETENSORS.BAD_METADATA',
          'INVALID_ARGUMENT',
          `metadata ${JSON.stringify(k)} is not a string`,
        );
      }
    }
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  for (const e of entries) {
    const end = offset + e.tensor.data.byteLength;
    parts.push(
      `${JSON.stringify(e.name)}:{"dtype":"${e.st}","shape":${JSON.stringify(e.tensor.dims)},"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // space padding keeps the data 8-byte aligned
  let at = 8 + headerLength;
  for (const e of entries) {
    out.set(tensorBytes(e.tensor), at);
    at += e.tensor.data.byteLength;
  }
  return out;
}

interface HeaderEntry {
  name: string;
  st: string;
  shape: number[];
  begin: number;
  end: number;
}

function isNonNegativeInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function parseHeader(
  bytes: Uint8Array,
  source: string | undefined,
): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  if (bytes.length < 8)
    throw corrupt(source, `the file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES))
    throw corrupt(source, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length) {
    throw corrupt(source, `header length ${headerLength} runs beyond the end of the file (${bytes.length} bytes)`, {
      headerLength,
      fileBytes: bytes.length,
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw corrupt(source, 'the header is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw corrupt(source, `the header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw corrupt(source, 'the header is not a JSON object');

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw corrupt(source, '"__metadata__" is not an object');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw corrupt(source, `"__metadata__" value ${JSON.stringify(k)} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    const label = `tensor ${JSON.stringify(name)}`;
    if (typeof info !== 'object' || info === null) throw corrupt(source, `${label} is not an object`);
    if (typeof info.dtype !== 'string' || !(info.dtype in ST_BYTES))
      throw corrupt(source, `${label} has unknown dtype ${JSON.stringify(info.dtype)}`);
    if (!Array.isArray(info.shape) || !info.shape.every(isNonNegativeInt))
      throw corrupt(source, `${label} has an invalid shape ${JSON.stringify(info.shape)}`);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
      throw corrupt(source, `${label} has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    entries.push({
      name,
      st: info.dtype,
      shape: info.shape as number[],
      begin: offsets[0] as number,
      end: offsets[1] as number,
    });
  }
  return { entries, metadata, dataStart: 8 + headerLength };
}

/** Checks that the entries tile [0, dataBytes) exactly and that each size matches dtype × shape. */
function validateLayout(entries: HeaderEntry[], dataBytes: number, source: string | undefined): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: HeaderEntry | undefined;
  for (const e of entries) {
    const label = `tensor ${JSON.stringify(e.name)}`;
    if (e.end < e.begin)
      throw corrupt(source, `${label} has data_offsets [${e.begin}, ${e.end}] with end before begin`);
    if (e.begin < expected) {
      throw corrupt(
        source,
        `${label} data_offsets [${e.begin}, ${e.end}] overlap tensor ${JSON.stringify(previous?.name)} ending at ${expected}`,
      );
    }
    if (e.begin > expected)
      throw corrupt(
        source,
        `bytes [${expected}, ${e.begin}) of the data are not covered by any tensor (next is ${label})`,
      );
    const elements = e.shape.reduce((p, d) => p * d, 1);
    const bytes = elements * ST_BYTES[e.st];
    if (!Number.isSafeInteger(bytes) || bytes !== e.end - e.begin) {
      throw corrupt(
        source,
        `${label} is ${e.st} of shape [${e.shape.join(', ')}] = ${bytes} bytes, but its data_offsets span ${e.end - e.begin} bytes`,
      );
    }
    if (e.end > dataBytes) {
      throw corrupt(
        source,
        `${label} data_offsets [${e.begin}, ${e.end}] run beyond the data section (${dataBytes} bytes): the file is truncated`,
      );
    }
    expected = e.end;
    previous = e;
  }
  if (expected !== dataBytes) {
    throw corrupt(source, `the tensors cover ${expected} bytes of data but the data section has ${dataBytes} bytes`);
  }
}

/** Parses a safetensors file. Tensor data is copied out of `bytes` (aligned, independent of it). */
export function readSafetensors(bytes: Uint8Array, options: ReadSafetensorsOptions = {}): SafetensorsContents {
  const { source } = options;
  const { entries, metadata, dataStart } = parseHeader(bytes, source);
  validateLayout(entries, bytes.length - dataStart, source);
  const tensors: Record<string, HostTensor> = {};
  for (const e of entries) {
    // A copy in a fresh, aligned ArrayBuffer (not bytes.slice: on a Buffer that is a shared view).
    const raw = new Uint8Array(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    if (e.st === 'BF16') {
      tensors[e.name] = bf16ToFloat32(e.shape, raw);
      continue;
    }
    const dtype = FROM_ST[e.st];
    if (dtype === undefined) {
      throw new CoinError(
        'SAFETENSORS.UNSUPPORTED_DTYPE',
        'UNIMPLEMENTED',
        `${source ? `${source}: ` : ''}tensor ${JSON.stringify(e.name)} has dtype ${e.st}, which CoIN-TS does not load`,
        {
          hint: 'convert the checkpoint to F32, F16, BF16, I64, I32, I8, U8 or BOOL',
        },
      );
    }
    const elements = sizeOf(e.shape);
    const data = makeView(dtype, raw.buffer, elements);
    tensors[e.name] = hostTensor(dtype, e.shape, data);
  }
  return { tensors, metadata };
}

function makeView(dtype: DType, buffer: ArrayBufferLike, elements: number): HostTensor['data'] {
  return new DTYPE_ARRAYS[dtype](buffer, 0, elements);
}

/** bfloat16 is the top half of a float32, so widening is exact (NaN payloads included). */
function bf16ToFloat32(shape: number[], raw: Uint8Array): HostTensor {
  const halves = new Uint16Array(raw.buffer, 0, raw.byteLength / DTYPE_BYTES.float16);
  const words = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) words[i] = halves[i] << 16;
  return hostTensor('float32', shape, new Float32Array(words.buffer));
}
