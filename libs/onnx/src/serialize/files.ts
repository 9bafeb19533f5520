import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CoinError, tempPathBeside, writeFileAtomicSync } from '@coin/core';
import { decodeModel, encodeModel } from '../proto/index.js';
import type { Model } from '../ir/graph.js';
import { type ExternalDataSource, modelFromProto } from './from-proto.js';
import { modelToProto } from './to-proto.js';

/** Protobuf messages cannot exceed 2 GiB; models above this must keep weights in external data. */
export const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;

/** Model → ONNX bytes, all tensors inline. */
export function serializeModel(model: Model): Uint8Array {
  const bytes = encodeModel(modelToProto(model));
  if (bytes.byteLength > PROTOBUF_LIMIT_BYTES) {
    throw new CoinError(
      'ONNX.TOO_LARGE',
      'INVALID_ARGUMENT',
      `model ${model.graph.name} is ${bytes.byteLength} bytes, over protobuf's 2 GB limit`,
      {
        hint: 'save it with saveModel(model, path, { externalDataThresholdBytes }) so weights go to an external data file',
      },
    );
  }
  return bytes;
}

/** ONNX bytes → Model (inline tensors only). */
export function parseModel(bytes: Uint8Array, source?: string): Model {
  return modelFromProto(decodeModel(bytes, source));
}

export interface SaveOptions {
  /** Initializers of at least this many bytes go to `<model file>.data`; default: none. */
  readonly externalDataThresholdBytes?: number;
}

const ALIGN = 4096;

/**
 * Writes `path` (and `path.data` when tensors go external) atomically: temp files, then renames,
 * data file first, so a reader never sees a model whose data file is missing or half-written.
 */
export function saveModel(model: Model, path: string, options: SaveOptions = {}): void {
  const dataName = `${basename(path)}.data`;
  const dataPath = join(dirname(path), dataName);
  const tmpData = tempPathBeside(dataPath);
  let fd: number | undefined;
  let written = 0;
  try {
    const threshold = options.externalDataThresholdBytes;
    const sink =
      threshold === undefined
        ? undefined
        : {
            thresholdBytes: threshold,
            location: dataName,
            append(bytes: Uint8Array): number {
              fd ??= openSync(tmpData, 'w');
              const pad = (ALIGN - (written % ALIGN)) % ALIGN;
              if (pad) writeSync(fd, new Uint8Array(pad));
              const offset = written + pad;
              writeSync(fd, bytes);
              written = offset + bytes.byteLength;
              return offset;
            },
          };
    const bytes = encodeModel(modelToProto(model, sink));
    if (bytes.byteLength > PROTOBUF_LIMIT_BYTES) {
      throw new CoinError(
        'ONNX.TOO_LARGE',
        'INVALID_ARGUMENT',
        `model ${model.graph.name} is ${bytes.byteLength} bytes even with external data over ${threshold} bytes`,
        {
          hint: 'lower externalDataThresholdBytes',
        },
      );
    }
    if (fd !== undefined) {
      closeSync(fd);
      fd = undefined;
      renameSync(tmpData, dataPath);
    }
    writeFileAtomicSync(path, bytes);
  } finally {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmpData, { force: true });
  }
}

/** Reads a model file, resolving external data relative to it. */
export function loadModel(path: string): Model {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CoinError('ONNX.NOT_FOUND', 'NOT_FOUND', `cannot read ONNX model ${path}: ${(e as Error).message}`);
  }
  const external: ExternalDataSource = (location, offset, length) => {
    if (location.includes('..') || location.startsWith('/')) {
      throw new CoinError(
        'ONNX.BAD_EXTERNAL_DATA',
        'INVALID_ARGUMENT',
        `external data location ${location} leaves the model's folder`,
      );
    }
    const file = join(dirname(path), location);
    const out = new Uint8Array(length);
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (e) {
      throw new CoinError(
        'ONNX.EXTERNAL_DATA_MISSING',
        'DATA_LOSS',
        `external data file ${file} of model ${path} cannot be read: ${(e as Error).message}`,
      );
    }
    try {
      const got = readSync(fd, out, 0, length, offset);
      if (got !== length) {
        throw new CoinError(
          'ONNX.EXTERNAL_DATA_TRUNCATED',
          'DATA_LOSS',
          `external data file ${file} ends before offset ${offset} + ${length}`,
        );
      }
    } finally {
      closeSync(fd);
    }
    return out;
  };
  return modelFromProto(decodeModel(bytes, path), external);
}
