// Size report: what a browser downloads for the core library (the minified ESM bundle of dist/index.js plus the
// baseline rectify.wasm, brotli q11) with the bytes each source file adds to the bundle. Run after `npm run build`:
// `npm run size`. tests/runtimes/packaging.test.ts enforces the 48 KiB budget; this script says where the bytes go.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';

const BUDGET = 48 * 1024;
const brotli = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
// Code splitting as an application's bundler does it: the entry chunk is the core; the worker pool, imported only by
// engines that start threads, is its own chunk (printed, not in the core total).
const r = await esbuild.build({
  entryPoints: ['dist/index.js'], bundle: true, minify: true, write: false, metafile: true, format: 'esm',
  platform: 'browser', logLevel: 'silent', external: ['*.wasm'], splitting: true, outdir: 'size-out',
});
const outs = Object.entries(r.metafile.outputs);
const entryOut = outs.find(([, o]) => o.entryPoint)[0];
const code = r.outputFiles.find((f) => f.path.endsWith(entryOut)).text;
for (const f of r.outputFiles) {
  if (!f.path.endsWith(entryOut)) console.log(`lazy chunk ${f.path.split('/').pop()}: ${f.text.length} B minified -> ${brotli(f.text)} B brotli`);
}
const js = brotli(code), wasm = brotli(readFileSync('dist/rectify.wasm')), total = js + wasm;
console.log(`core download: js ${code.length} B minified -> ${js} B brotli; rectify.wasm -> ${wasm} B brotli; ` +
  `total ${total} B of ${BUDGET} B (${BUDGET - total} B left)`);
const inputs = r.metafile.outputs[entryOut].inputs;
console.log('minified bytes per source file in the bundle:');
for (const [file, v] of Object.entries(inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)) {
  if (v.bytesInOutput > 0) console.log(String(v.bytesInOutput).padStart(8), file);
}
