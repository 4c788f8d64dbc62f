// The Node server bench/serve.js measures, in its own process: node:http + toNodeListener + createPredictHandler,
// the same options as the Worker. GET /__usage answers this process's CPU time and memory (outside the handler).
//   node bench/serve-node-server.mjs <dir with model.bin>     prints {"port":N} when listening
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const t0 = performance.now();
const [{ createEngine }, { createPredictHandler, toNodeListener }] = await Promise.all([
  import('../dist/index.js'), import('../dist/serve/index.js')]);
const dir = process.argv[2];
const engine = await createEngine();
const net = engine.loadNetwork(readFileSync(join(dir, 'model.bin')));
const handler = createPredictHandler(net, { output: 'both', topK: 3, maxBatch: 32 });   // statistics and labels: net.metadata
const listener = toNodeListener(handler);
const server = createServer((req, res) => {
  if (req.url === '/__usage') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ cpu: process.cpuUsage(), memory: process.memoryUsage(), readyMs: performance.now() - t0 }));
    return;
  }
  listener(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
