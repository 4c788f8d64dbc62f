// A Cloudflare Worker that runs the probe. It imports the package's Workers entry (dist/index.workerd.js, the
// `workerd` condition), whose createEngine() uses `import m from './rectify.wasm'`; the relaxed build is imported
// the same way. Bundled by the test with esbuild, the .wasm imports kept as CompiledWasm modules.
import * as lib from 'rectify';
import relaxedWasm from 'rectify/rectify-relaxed.wasm';
// The twins build is for tests only (not published, not in the exports): imported from dist/ directly.
import twinsWasm from '../../dist/rectify-twins.wasm';
import { probeBoth } from './probe.js';

export default {
  async fetch() {
    try {
      return Response.json(await probeBoth(lib, {}, { relaxedSimd: true, relaxedWasm }, { wasm: twinsWasm }));
    } catch (e) {
      return new Response(String(e?.stack ?? e), { status: 500 });
    }
  },
};
