/**
 * `net.summary()`: a text table of the layers and their parameter counts.
 * @module
 */
import type { NetworkState } from './state.js';

/** The summary table of a network's layers. */
export function summaryText(st: NetworkState): string {
  const s = st.settings;
  const lines = ['layer      units  activation        parameters', '---------  -----  ----------------  ----------'];
  let total = 0;
  st.layers.forEach((l, i) => {
    const count = l.nw + l.nb + l.np;
    total += count;
    const k = l.spec.kind;
    lines.push(`${k ?? 'dense'}${i}`.padEnd(11) + String(l.out).padStart(5) + '  ' + (k ? '-' : l.def.name).padEnd(16) + '  ' + String(count).padStart(10));
  });
  lines.push(`inputs ${s.inputs}, outputs ${s.outputs}, ${total} parameters, loss ${s.loss}, optimizer ${s.optimizer.name}`);
  return lines.join('\n');
}
