// Entry of the edge-runtime (Vercel) bundle: dist/index.js bundled as an IIFE; the host passes precompiled modules
// (MOD, MOD_RELAXED, MOD_TWINS) as globals, as Vercel's `import m from './x.wasm?module'` would.
import * as lib from 'rectify';
import { probeBoth } from './probe.js';

globalThis.runProbe = async () =>
  JSON.stringify(await probeBoth(lib, { wasm: globalThis.MOD }, { relaxedSimd: true, relaxedWasm: globalThis.MOD_RELAXED },
    { wasm: globalThis.MOD_TWINS }));
