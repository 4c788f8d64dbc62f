// Gathers the tables the benchmark scripts wrote into bench/results/ (git-ignored) into bench/RESULTS.md, the
// committed page the README links to. `npm run bench` runs it last; run it alone after running scripts one by one.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = new URL('./results/', import.meta.url);
const parts = [
  ['activations.md', 'Activations (`node bench/run.js`)'],
  ['gemm.md', 'GEMM (`node bench/gemm.js`)'],
  ['nn.md', 'Networks: MLP and tiny-net training and inference (`node bench/nn.js`)'],
  ['serve.md', 'Serving (`npm run bench:serve`)'],
];
const out = [
  '# Benchmark results',
  '',
  '<!-- Written by `node bench/results.js` from bench/results/*.md (what `npm run bench` measured); do not edit by hand. -->',
  '',
  'Every table was measured side by side with its peers in one run, on the machine named above it (shared and',
  'noisy, 2 cores: compare the ratios within a table, not absolute figures across tables). See bench/README.md for',
  'what each workload does and how it is timed.',
  '',
];
let found = 0;
for (const [file, title] of parts) {
  const url = new URL(file, dir);
  if (!existsSync(url)) continue;
  found++;
  out.push(`## ${title}`, '', readFileSync(url, 'utf8').trim(), '');
}
if (found === 0) {
  console.error('bench/results/ holds no tables: run `npm run bench` (or the scripts one by one) first');
  process.exit(1);
}
writeFileSync(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), out.join('\n'));
console.log(`wrote bench/RESULTS.md from ${found} table file(s)`);
