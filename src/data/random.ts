import { DataArgumentError } from '../errors.js';

/** Seeded generators live in src/util/random.ts; rectify/data exports the data one. */
export { createRng, type Rng } from '../util/random.js';
import { fnv1a32 } from '../util/hash.js';

/**
 * FNV-1a 32-bit hash of the bytes of a typed array (little-endian view of its memory).
 * Used to pin deterministic outputs in tests and to check embedded data.
 * @param view any typed array or DataView-compatible view
 * @returns unsigned 32-bit hash
 * @throws DataArgumentError when view is not a typed array or DataView
 */
export function fnv1a(view: ArrayBufferView): number {
  if (!ArrayBuffer.isView(view)) throw new DataArgumentError('fnv1a: expected a typed array or DataView');
  return fnv1a32(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}
