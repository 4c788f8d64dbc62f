/**
 * Network metadata for serving (`net.metadata`, saved in version 4): the checks of names, labels and training
 * statistics (shared by the setter and the loader), and the statistics `fit` records with the `col_stats` kernel.
 * @module
 */
import type { RectifyError } from '../errors.js';
import type { EngineCore } from '../core.js';
import type { NetworkMetadata, TrainingStats } from './types.js';

const STATS = ['min', 'max', 'mean', 'std'] as const;

/** Per-column statistics of the rows x n f32 values at byte offset xs of the engine's memory (rows >= 1). */
export function trainingStats(core: EngineCore, xs: number, rows: number, n: number): TrainingStats {
  const arena = core.arena, out = arena.alloc(32 * n);
  try {
    core.exports.col_stats(xs, rows, n, out);
    const v = new Float64Array(arena.memory.buffer, out, 4 * n);
    const col = (k: number) => Array.from({ length: n }, (_, j) => v[4 * j + k]!);
    return { rows, min: col(0), max: col(1), mean: col(2), std: col(3) };
  } finally {
    arena.release(out);
  }
}

/**
 * A checked plain copy of metadata for a network of `inputs` x `outputs`; anything else throws `Err` naming the field
 * and what it must hold. Unknown fields are refused.
 */
export function checkMetadata(m: unknown, inputs: number, outputs: number, Err: new (message: string) => RectifyError): NetworkMetadata {
  const fail = (what: string, need: string): never => { throw new Err(`metadata${what} must be ${need}`); };
  const obj = (v: unknown, what: string, keys: readonly string[]) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(what, `an object { ${keys.join(', ')} }`);
    for (const k of Object.keys(v as object)) if (!keys.includes(k)) fail(what, `{ ${keys.join(', ')} }, not "${k.slice(0, 64)}"`);
    return v as Record<string, unknown>;
  };
  const list = <T>(v: unknown, what: string, n: number, num?: boolean): T[] => {
    // Length first, then a copy by index: never through the array's own iterator (it may never end) or a huge length.
    const a = Array.isArray(v) && v.length === n ? Array.from({ length: n }, (_, i) => (v as unknown[])[i]) : [];
    if (a.length !== n || !a.every((e) => (num ? Number.isFinite(e) : typeof e === 'string' && e.length <= 256))) {
      fail(what, `an array of ${n} ${num ? 'finite numbers' : 'strings (up to 256 characters)'}`);
    }
    // -0 becomes 0: the saved form is JSON, which writes -0 as 0, so a load gives back what was set.
    return (num ? a.map((e) => (e as number) || 0) : a) as T[];
  };
  const o = obj(m, '', ['inputNames', 'labels', 'featureStats']), out: Record<string, unknown> = {};
  if (o.inputNames !== undefined) out.inputNames = list(o.inputNames, '.inputNames', inputs);
  if (o.labels !== undefined) out.labels = list(o.labels, '.labels', outputs);
  if (o.featureStats !== undefined) {
    const s = obj(o.featureStats, '.featureStats', ['rows', ...STATS]), rows = s.rows;
    if (!Number.isInteger(rows) || (rows as number) < 1) fail('.featureStats.rows', 'a whole number >= 1');
    const [min, max, mean, std] = STATS.map((k) => list<number>(s[k], `.featureStats.${k}`, inputs, true));
    for (let j = 0; j < inputs; j++) if (!(min![j]! <= max![j]! && std![j]! >= 0)) fail('.featureStats', `min <= max and std >= 0 (feature ${j})`);
    out.featureStats = { rows, min, max, mean, std };
  }
  return out as NetworkMetadata;
}
