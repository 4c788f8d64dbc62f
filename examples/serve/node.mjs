// Serving predictions from Node with node:http: `node examples/serve/node.mjs` (PORT, default 8787, on 127.0.0.1).
//   curl -s localhost:8787/ -H 'content-type: application/json' -d '{"inputs": [64 numbers]}'
// `--check`: serve on a free port, send the first test digit to itself, print the answer as JSON and exit.
import { createServer } from 'node:http';
import { createEngine } from 'rectify';
import { loadDigits, trainTestSplit } from 'rectify/data';
import { createPredictHandler, toNodeListener } from 'rectify/serve';

const check = process.argv.includes('--check');
const engine = await createEngine();
const { train, test } = trainTestSplit(loadDigits(), 0.2, 1);
const net = engine.network({ inputs: 64, seed: 7 }).dense(32, 'relu').dense(10, 'softmax')
  .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
await net.fit(train.x, train.labels, { epochs: 10, batchSize: 32 });   // or engine.loadNetwork(bytes) of a saved one

// fit recorded the training statistics (net.metadata): the handler warns about inputs far outside them.
const handler = createPredictHandler(net, { output: 'both', topK: 3 });
// The two lines that serve a fetch-style handler with node:http:
const server = createServer(toNodeListener(handler));
server.listen(check ? 0 : Number(process.env.PORT ?? 8787), '127.0.0.1');

await new Promise((r) => server.once('listening', r));
const { port } = server.address();
if (check) {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: Array.from(test.x.subarray(0, 64)) }),
  });
  console.log(JSON.stringify({ runtime: `node ${process.versions.node}`, status: res.status, answer: await res.json() }));
  server.close();
  net.dispose();
  engine.dispose();
} else {
  console.log(`serving predictions on http://127.0.0.1:${port}/ (POST { "inputs": [64 numbers] })`);
}
