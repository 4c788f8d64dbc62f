// Runs the serving cases in Deno or Bun: the handler called directly, and behind the runtime's own server
// (Deno.serve / Bun.serve on 127.0.0.1). Prints one JSON line for the Node test.
//   deno run --allow-read --allow-net tests/serve/host.mjs <dir>      bun tests/serve/host.mjs <dir>
import * as lib from '../../dist/index.js';
import * as serve from '../../dist/serve/index.js';
import { makeApp, runCases } from './cases.js';

const dir = globalThis.Deno ? Deno.args[0] : process.argv[2];
const read = async (f) => (globalThis.Deno ? Deno.readFile(`${dir}/${f}`) : new Uint8Array(await Bun.file(`${dir}/${f}`).arrayBuffer()));
const fixture = JSON.parse(new TextDecoder().decode(await read('fixture.json')));
const engine = await lib.createEngine();
const net = engine.loadNetwork(await read('model.bin'));
const app = makeApp(serve, net, fixture);

const direct = await runCases(fixture, 'http://localhost', app);
let server, base;
if (globalThis.Deno) {
  server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, app);
  base = `http://127.0.0.1:${server.addr.port}`;
} else {
  server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: app });
  base = `http://127.0.0.1:${server.port}`;
}
const viaServer = await runCases(fixture, base, (r) => fetch(r));
await (globalThis.Deno ? server.shutdown() : server.stop(true));
const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : `bun ${Bun.version}`;
console.log(JSON.stringify({ runtime, direct, server: viaServer }));
