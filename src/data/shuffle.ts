import { describe } from '../util/describe.js';
import { DataArgumentError } from '../errors.js';
import { createRng } from '../util/random.js';

/** Targets `shuffle` reorders with x: one value (or class id) per row, several per row, or one array per row. */
export type ShuffleTargets = Float32Array | Int32Array | Uint8Array | Uint16Array | readonly number[] | readonly (readonly number[])[];

/**
 * Shuffles the rows of x and y together with a seeded Fisher-Yates (the integer generator of this module, so the
 * same seed gives the same order on every engine). Returns new arrays of the same types; the inputs are not changed.
 * The row count is y's length, except for a Float32Array y, where it is `rows` when given (several targets per row,
 * e.g. one-hot) and y's length otherwise.
 * @param x rows x cols features, row after row
 * @param y the targets of the same rows
 * @param seed integer seed
 * @param rows the row count, needed only when y is a Float32Array with several values per row
 * @throws DataArgumentError when the seed is not an integer, or x or y does not hold a whole number of values per row
 */
export function shuffle<Y extends ShuffleTargets>(x: Float32Array, y: Y, seed: number, rows?: number): { x: Float32Array; y: Y } {
  if (!(x instanceof Float32Array)) throw new DataArgumentError('shuffle: x must be a Float32Array of rows x cols values');
  const isTyped = y instanceof Float32Array || y instanceof Int32Array || y instanceof Uint8Array || y instanceof Uint16Array;
  if (!isTyped && !Array.isArray(y)) throw new DataArgumentError('shuffle: y must be a typed array or an array of targets');
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new DataArgumentError(`shuffle: seed must be an integer, got ${describe(seed)}`);
  if (rows !== undefined && !(y instanceof Float32Array)) throw new DataArgumentError('shuffle: rows is only for a Float32Array y (the row count is y.length otherwise)');
  const n = rows ?? y.length;
  if (!Number.isSafeInteger(n) || n < 1) throw new DataArgumentError(`shuffle: rows must be an integer >= 1, got ${describe(n)}`);
  if (x.length % n !== 0 || y.length % n !== 0) {
    throw new DataArgumentError(`shuffle: x has ${x.length} values and y ${y.length}, not a whole number per row for ${n} rows` +
      (y instanceof Float32Array && rows === undefined ? '; pass rows when y holds several values per row' : ''));
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = createRng(seed);
  for (let k = n - 1; k > 0; k--) {
    const r = rng.nextInt(k + 1);
    const t = order[k]!; order[k] = order[r]!; order[r] = t;
  }
  const cols = x.length / n;
  const ox = new Float32Array(x.length);
  for (let k = 0; k < n; k++) ox.set(x.subarray(order[k]! * cols, (order[k]! + 1) * cols), k * cols);
  let oy: unknown;
  if (isTyped) {
    const ty = y as Float32Array, per = ty.length / n;
    const out = new (ty.constructor as Float32ArrayConstructor)(ty.length);
    for (let k = 0; k < n; k++) out.set(ty.subarray(order[k]! * per, (order[k]! + 1) * per), k * per);
    oy = out;
  } else {
    oy = Array.from(order, (i) => (y as readonly unknown[])[i]);
  }
  return { x: ox, y: oy as Y };
}
