/**
 * ModelProto <-> bytes. The generated ts-proto code does the wire format; this file adds the
 * error contract: bytes that are not an ONNX model fail with a CoinError instead of a RangeError
 * deep inside the reader (or, worse, a silently half-decoded model).
 */
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { CoinError } from '@coin/core';
import { ModelProto } from './gen/onnx.js';

/** Serialises a model to the ONNX protobuf wire format (what `onnx.save` writes). */
export function encodeModel(model: ModelProto): Uint8Array {
  return ModelProto.encode(model).finish();
}

/**
 * Parses ONNX model bytes. Throws CoinError `ONNX.DECODE_FAILED` (DATA_LOSS) when the bytes are
 * truncated, malformed, or decode to something that cannot be a model (no ir_version / graph).
 * @param source names the bytes in the error message (e.g. a file path); optional.
 */
export function decodeModel(bytes: Uint8Array, source = 'ONNX model bytes'): ModelProto {
  const fail = (why: string, cause?: unknown): CoinError =>
    new CoinError('ONNX.DECODE_FAILED', 'DATA_LOSS', `${source} are not a valid ONNX model: ${why}`, {
      hint: 'The file is truncated or is not an .onnx model; re-export or re-download it.',
      cause,
      details: { source, byteLength: bytes.byteLength },
    });

  const reader = new BinaryReader(bytes);
  let model: ModelProto;
  try {
    model = ModelProto.decode(reader);
  } catch (e) {
    throw fail(`protobuf decoding stopped at byte ${reader.pos} of ${bytes.byteLength} (${(e as Error).message})`, e);
  }
  // ts-proto stops quietly at a zero tag; a real model never contains one at the top level.
  if (reader.pos !== bytes.byteLength) {
    throw fail(`unreadable data at byte ${reader.pos} of ${bytes.byteLength}`);
  }
  if (!model.irVersion) throw fail('ir_version (field 1) is missing');
  if (!model.graph) throw fail('graph (field 7) is missing');
  return model;
}
