/**
 * Per-epoch diagnostics of `fit`: dead units (derivative 0 on every probe row) and saturated units (f'(z) below 5%
 * of f'(0)), and the trainable activation parameters' values.
 * @module
 */
import type { Activation } from '../activation.js';
import { RectifyError } from '../errors.js';
import type { NetworkState } from './state.js';


/** Dead and saturated fractions per layer on the first `rows` rows of x (in original order). */
export function probeUnits(st: NetworkState, x: Float32Array, rows: number): { dead: (number | null)[]; saturated: (number | null)[] } {
  const { inputs } = st.settings;
  const n = Math.min(rows, st.capacity);
  const arena = st.core.arena;
  arena.f32.set(x.subarray(0, n * inputs), st.xBuf >> 2);
  st.fx.net_forward(st.plan, st.xBuf, n);
  const dead: (number | null)[] = [], saturated: (number | null)[] = [];
  st.layers.forEach((l, li) => {
    if (l.def.kind === 'rowwise' || l.spec.kind) { dead.push(null); saturated.push(null); return; }
    const z = st.preActivations(li);
    const zs = new Float32Array(arena.memory.buffer, z, n * l.out).slice();
    // Per-unit activations (prelu with units) take whole rows: pass rows x units, and a row of zeros for f'(0).
    const perUnit = l.act.units !== undefined;
    let d: Float32Array, d0: number;
    try {
      d = perUnit ? l.act.derivative(zs, { rows: n, cols: l.out }) : l.act.derivative(zs);
      d0 = Math.abs((perUnit ? l.act.derivative(new Float32Array(l.out), { rows: 1, cols: l.out }) : l.act.derivative(new Float32Array(1)))[0]!);
    } catch (e) {
      // A diagnostic must not fail fit after the weights were updated: sbaf with domain 'strict' refuses
      // pre-activations outside [0, 1] in derivative(), while the network's kernels clamp them. No figure then.
      if (!(e instanceof RectifyError)) throw e;
      dead.push(null); saturated.push(null); return;
    }
    // Which figures apply comes from the table row (`diagnostics`).
    if (l.def.diagnostics?.includes('dead')) {
      let deadUnits = 0;
      for (let j = 0; j < l.out; j++) {
        let alive = false;
        for (let r = 0; r < n && !alive; r++) if (d[r * l.out + j] !== 0) alive = true;
        if (!alive) deadUnits++;
      }
      dead.push(deadUnits / l.out);
    } else dead.push(null);
    if (l.def.diagnostics?.includes('saturated') && d0 > 0) {
      let sat = 0;
      for (let i = 0; i < d.length; i++) if (Math.abs(d[i]!) < 0.05 * d0) sat++;
      saturated.push(sat / d.length);
    } else saturated.push(null);
  });
  return { dead, saturated };
}

/** The trainable activation parameters' current values. */
export function plainParams(a: Activation): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  const trainable = new Set(a.def.params.filter((p) => p.trainable).map((p) => p.name));
  for (const [k, v] of Object.entries(a.params)) if (trainable.has(k)) out[k] = typeof v === 'number' ? v : Array.from(v);
  return out;
}
