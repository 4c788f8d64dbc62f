// The last steps of the builds with shrinkLevel 2 (rectify.wasm and its all-exports twin rectify-kernels.wasm):
// binaryen's wasm-opt -Os once more with --reorder-functions (0.7 KiB less brotli at about the same raw size: the code
// laid out for compression; bits unchanged), then one data segment (scripts/merge-data.mjs, 0.37 KiB less brotli).
//   node scripts/shrink-wasm.mjs dist/rectify.wasm [more.wasm ...]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mergeData } from './merge-data.mjs';

const FEATURES = ['simd', 'bulk-memory', 'sign-ext', 'nontrapping-float-to-int', 'mutable-globals'].map((f) => `--enable-${f}`);
for (const file of process.argv.slice(2)) {
  execFileSync('wasm-opt', [file, '-Os', '--reorder-functions', ...FEATURES, '-o', file], { stdio: 'inherit' });
  const merged = mergeData(readFileSync(file));
  new WebAssembly.Module(merged); // validates
  writeFileSync(file, merged);
}
