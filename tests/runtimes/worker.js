// A Cloudflare Worker that runs the probe. It imports the package's Workers entry (dist/index.workerd.js, the
// `workerd` condition), whose createEngine() uses `import m from './rectify.wasm'`; the relaxed build is imported
// the same way. Bundled by the test with esbuild, the .wasm imports kept as CompiledWasm modules.
import * as lib from 'rectify';
import relaxedWasm from 'rectify/rectify-relaxed.wasm';
import twinsWasm from 'rectify/rectify-twins.wasm';
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
