// A model is used only if its bytes are the ones its manifest names: a swapped or half-copied file is
// refused before it can produce verdicts. The verified bytes (not the path) go to the worker, so nothing
// can change between the check and the load.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ErrorCodes, StationError, errorMessage } from '../../shared/errors.ts';
import type { ModelSpec } from './manifest.ts';

/** Far above any edge detector; keeps a wrong file (a disk image, a video) from being read whole. */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

export function readVerifiedModel(spec: ModelSpec): Uint8Array {
  let size: number;
  try {
    size = statSync(spec.modelPath).size;
  } catch {
    throw new StationError(ErrorCodes.INSPECT_MODEL_MISSING, `model file ${spec.modelPath} does not exist`, { file: spec.modelPath });
  }
  if (size === 0 || size > MAX_MODEL_BYTES) {
    throw new StationError(ErrorCodes.INSPECT_MODEL_INVALID, `model file ${spec.modelPath} has ${size} bytes; expected 1..${MAX_MODEL_BYTES}`, { file: spec.modelPath, size });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(spec.modelPath);
  } catch (e) {
    throw new StationError(ErrorCodes.INSPECT_MODEL_MISSING, `model file ${spec.modelPath} is not readable: ${errorMessage(e)}`, { file: spec.modelPath });
  }
  if (spec.sha256 !== undefined) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== spec.sha256) {
      throw new StationError(
        ErrorCodes.INSPECT_MODEL_HASH_MISMATCH,
        `model file ${spec.modelPath} has sha256 ${actual} but its manifest says ${spec.sha256}; refusing to load it`,
        { file: spec.modelPath, expected: spec.sha256, actual },
      );
    }
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
