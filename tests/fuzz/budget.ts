// How much each property-based suite runs. `npm test` runs the short budget (about a minute for all of tests/fuzz);
// `npm run fuzz` sets RECTIFY_FUZZ=long and runs the long one. Seeds are fixed so a failure replays.

/** True under `npm run fuzz`. */
export const LONG = typeof process !== 'undefined' && process.env.RECTIFY_FUZZ === 'long';

/** Number of generated cases: `short` in `npm test`, `long` in `npm run fuzz`. */
export function runs(short: number, long: number): number {
  return LONG ? long : short;
}

/** The fixed fast-check seed of every suite (override with RECTIFY_FUZZ_SEED to explore). */
export const SEED = Number(typeof process !== 'undefined' && process.env.RECTIFY_FUZZ_SEED || 20261129);

/** Test timeout for a suite: generous under the long budget. */
export const TIMEOUT = LONG ? 3_600_000 : 120_000;
