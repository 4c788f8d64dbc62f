/**
 * What saving a network needs from it: the layer specs as they are written to a file (fixed activation settings
 * included, trainable values left to the weights), and the check that refuses to save a diverged network.
 * @module
 */
import { TrainingDivergedError } from '../errors.js';
import type { NetworkState } from './state.js';
import type { SavedLayerSpec } from './types.js';

/** The layer specs of a saved file. */
export function savedLayerSpecs(st: NetworkState): SavedLayerSpec[] {
  return st.layers.map((l, i) => (l.spec.kind ? {
    // Version 4: the other kinds, with their settings (f32 values as the plan holds them).
    kind: l.spec.kind, units: l.out,
    ...(l.spec.kind === 'dropout' ? { rate: l.spec.rate } : { epsilon: l.spec.epsilon, ...(l.spec.kind === 'batchNorm' ? { momentum: l.spec.momentum } : {}) }),
    ...(st.isTrainable(i) ? {} : { trainable: false as const }),
  } : {
    units: l.out,
    activation: {
      name: l.def.name, ...(l.act.units !== undefined ? { units: l.act.units } : {}), ...(l.act.domain ? { domain: l.act.domain } : {}),
      // Fixed settings travel in the spec; trainable values travel with the weights.
      ...Object.fromEntries(l.def.params.filter((p) => !p.trainable).map((p) => [p.name, l.act.params[p.name] as number])),
    },
    ...(l.spec.init ? { init: l.spec.init } : {}),
    ...(st.isTrainable(i) ? {} : { trainable: false }),
    ...(l.spec.l1 ? { l1: l.spec.l1 } : {}), ...(l.spec.l2 ? { l2: l.spec.l2 } : {}),
  }));
}

/** A saved file must load: a network with a NaN or infinite parameter (it diverged) is refused at save time. */
export function checkSavable(st: NetworkState, what: string): void {
  const bad = st.firstNonFinite();
  if (bad) {
    throw new TrainingDivergedError(`${what}: ${bad}; a diverged network cannot be saved: retrain with a lower learning rate or clipNorm`, undefined);
  }
}
