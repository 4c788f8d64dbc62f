// Prints the README's activation table from the kernel table (run after `npm run build`).
import { ACTIVATIONS } from '../dist/index.js';

const esc = (s) => String(s).replace(/\|/g, '\\|');
const rows = ACTIVATIONS.map((d) => {
  const params = d.params.length
    ? d.params.map((p) => `\`${p.name}\` = ${p.default}${p.trainable ? ' (trainable)' : ''}: ${p.doc}`).join('<br>')
    : '—';
  const tol = d.piecewiseLinear ? 'exact' : `${d.tolerance.forward} / ${d.tolerance.backward} ulp`;
  return `| \`${d.name}\`${d.aliases ? ` (${d.aliases.map((a) => `\`${a}\``).join(', ')})` : ''} | ${esc(d.formula)} | ${esc(d.derivative)} | ${esc(params)} | ${esc(d.source)} | ${tol} |`;
});
console.log('| activation | f(x) | f\'(x) | parameters, defaults and their sources | source | tolerance (fwd / bwd) |');
console.log('|---|---|---|---|---|---|');
console.log(rows.join('\n'));
