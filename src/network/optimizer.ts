/**
 * Optimizer defaults and the checks of their settings (each as the f32 the kernels will see).
 * @module
 */
import { describe } from '../util/describe.js';
import { InvalidParameterError } from '../errors.js';
import { OPTIMIZER_CODES } from './plan.js';
import { F32_BELOW_1, F32_MAX, F32_MIN_NORMAL } from './options.js';
import type { NormalizedOptimizer, OptimizerName, OptimizerSpec } from './types.js';

/** The settings of each optimizer and their defaults (Keras' values). */
const DEFAULTS: Readonly<Record<OptimizerName, Readonly<Record<string, number | boolean>>>> = {
  sgd: { learningRate: 0.01, weightDecay: 0 },
  momentum: { learningRate: 0.01, momentum: 0.9, nesterov: false, weightDecay: 0 },
  rmsprop: { learningRate: 0.001, rho: 0.9, epsilon: 1e-7, weightDecay: 0 },
  adam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 },
  adamW: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.01 },
};

/** Checks an optimizer name or spec and returns it with every default filled in. */
export function normalizeOptimizer(spec: OptimizerName | OptimizerSpec): NormalizedOptimizer {
  const s = (typeof spec === 'string' ? { name: spec } : spec) as Record<string, unknown>;
  if (s === null || typeof s !== 'object' || typeof s.name !== 'string' || !OPTIMIZER_CODES.has(s.name)) {
    throw new InvalidParameterError(`unknown optimizer ${describe(typeof spec === 'string' ? spec : (spec as { name?: unknown })?.name)}; valid: ${[...OPTIMIZER_CODES.keys()].join(', ')}`);
  }
  const name = s.name as OptimizerName;
  const d = DEFAULTS[name];
  for (const k of Object.keys(s)) {
    if (k !== 'name' && !Object.hasOwn(d, k)) throw new InvalidParameterError(`optimizer ${name} has no setting "${k}"; its settings: ${Object.keys(d).join(', ')}`);
  }
  const out: Record<string, number | boolean | string> = { name, ...d };
  for (const [k, dv] of Object.entries(d)) {
    const v = Object.hasOwn(s, k) && s[k] !== undefined ? s[k] : dv;
    // The kernels see each setting as an f32: the checks apply to that value (0.99999999 rounds to 1, 1e300 to Infinity,
    // 1e-50 to 0).
    const f = typeof v === 'number' ? Math.fround(v) : NaN;
    const asF32 = typeof v === 'number' && f !== v ? ` (${v} is ${f} as an f32, the value the kernel uses)` : '';
    if (typeof dv === 'boolean') {
      if (typeof v !== 'boolean') throw new InvalidParameterError(`optimizer ${name}: ${k} must be true or false, got ${describe(v)}`);
    } else if (typeof v !== 'number' || !Number.isFinite(f)) {
      throw new InvalidParameterError(`optimizer ${name}: ${k} must be a finite number within the f32 range (|v| <= ${F32_MAX}), got ${describe(v)}${asF32}`);
    } else if (k === 'learningRate' && !(f > 0)) {
      throw new InvalidParameterError(`optimizer ${name}: learningRate must be > 0, got ${v}${asF32}`);
    } else if ((k === 'momentum' || k === 'rho' || k === 'beta1' || k === 'beta2') && !(f >= 0 && f < 1)) {
      throw new InvalidParameterError(`optimizer ${name}: ${k} must be in [0, 1), got ${v}${asF32}; the largest f32 below 1 is ${F32_BELOW_1}`);
    } else if (k === 'epsilon' && !(f >= F32_MIN_NORMAL)) {
      throw new InvalidParameterError(`optimizer ${name}: epsilon must be >= ${F32_MIN_NORMAL} (the smallest normal f32), got ${v}${asF32}`);
    } else if (k === 'weightDecay' && !(f >= 0)) {
      throw new InvalidParameterError(`optimizer ${name}: weightDecay must be >= 0, got ${v}${asF32}`);
    }
    out[k] = v as number | boolean;
  }
  return out as NormalizedOptimizer;
}

/** Moment buffers per parameter block: none for sgd, one for momentum and rmsprop, two for adam and adamW. */
export function momentSlots(name: OptimizerName): number {
  return name === 'sgd' ? 0 : name === 'momentum' || name === 'rmsprop' ? 1 : 2;
}
