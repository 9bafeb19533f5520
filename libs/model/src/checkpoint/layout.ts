import { CoinError } from '@coin/core';
import { allocate, type HostTensor } from '@coin/runtime';

type Indexable = { [i: number]: number | bigint; readonly length: number };
function allocateLike(t: HostTensor, n: number): HostTensor['data'] {
  return allocate(t.dtype, n);
}

export function requireMatrix(t: HostTensor, name: string): [number, number] {
  if (t.dims.length !== 2) {
    throw new CoinError(
      'CHECKPOINT.BAD_SHAPE',
      'INVALID_ARGUMENT',
      `${name} must be a matrix, got shape [${t.dims.join(', ')}]`,
      { details: { name, dims: t.dims } },
    );
  }
  return [t.dims[0], t.dims[1]];
}

/**
 * The elements of `data` as unsigned integers of the same width: copying through these keeps every
 * bit, where reading a float into a JS number may quieten a signalling NaN.
 */
function bitsView(data: HostTensor['data']): Indexable {
  const { buffer, byteOffset, length } = data;
  switch (data.BYTES_PER_ELEMENT) {
    case 1:
      return new Uint8Array(buffer, byteOffset, length);
    case 2:
      return new Uint16Array(buffer, byteOffset, length);
    case 4:
      return new Uint32Array(buffer, byteOffset, length);
    default:
      return new BigUint64Array(buffer, byteOffset, length);
  }
}

/** [rows, cols] → [cols, rows]. Bit-exact (a copy through integer views, no arithmetic). */
export function transpose2d(t: HostTensor, name: string): HostTensor {
  const [rows, cols] = requireMatrix(t, name);
  const out = allocateLike(t, rows * cols);
  const src = bitsView(t.data);
  const dst = bitsView(out);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
  }
  return { dtype: t.dtype, dims: [cols, rows], data: out };
}

/** Rows [start, start + count) of a matrix. */
export function sliceRows(t: HostTensor, start: number, count: number, name: string): HostTensor {
  const [, cols] = requireMatrix(t, name);
  const out = allocateLike(t, count * cols);
  (out as unknown as { set(a: Indexable): void }).set(
    (t.data as unknown as { subarray(a: number, b: number): Indexable }).subarray(start * cols, (start + count) * cols),
  );
  return { dtype: t.dtype, dims: [count, cols], data: out };
}

/** Stack matrices with equal column counts on top of each other. */
export function stackRows(parts: readonly HostTensor[], name: string): HostTensor {
  const cols = requireMatrix(parts[0], name)[1];
  let rows = 0;
  for (const p of parts) {
    const [r, c] = requireMatrix(p, name);
    if (c !== cols || p.dtype !== parts[0].dtype) {
      throw new CoinError(
        'CHECKPOINT.BAD_SHAPE',
        'INVALID_ARGUMENT',
        `${name}: experts disagree in shape or dtype ([${p.dims.join(', ')}] ${p.dtype} vs [?, ${cols}] ${parts[0].dtype})`,
      );
    }
    rows += r;
  }
  const out = allocateLike(parts[0], rows * cols);
  let offset = 0;
  for (const p of parts) {
    (out as unknown as { set(a: Indexable, o: number): void }).set(p.data as unknown as Indexable, offset);
    offset += p.data.length;
  }
  return { dtype: parts[0].dtype, dims: [rows, cols], data: out };
}
