// rectify in Bun: `bun examples/bun.ts`   (in your project: `bun add rectify`)
// Here the .wasm is read with Bun's own file API and handed to createEngine (any bytes, Response or Module work).
import { ACTIVATIONS, createEngine } from 'rectify';

const fmt = (a: Float32Array) => Array.from(a, (v) => +v.toPrecision(6)).join(' ');

const wasmPath = Bun.fileURLToPath(import.meta.resolve('rectify/rectify.wasm'));
const engine = await createEngine({ wasm: await Bun.file(wasmPath).arrayBuffer() });
console.log(`rectify in Bun ${Bun.version}: ${ACTIVATIONS.length} activations`);

// Forward and backward of a leaky ReLU on a small batch.
const act = engine.activation({ name: 'leakyRelu', slope: 0.1 });
const x = new Float32Array([-2, -0.5, 0, 0.5, 2]);
const dy = new Float32Array([1, 1, 1, 1, 1]);
console.log(`leakyRelu(0.1) f(x)  = ${fmt(act.forward(x))}`);
console.log(`leakyRelu(0.1) dx    = ${fmt(act.backward(x, dy))}`);

// Parameter gradients of a trainable activation (prelu's alpha), as a training step would use them.
const prelu = engine.activation('prelu');
console.log(`prelu dL/dalpha = ${prelu.paramGrads(x, dy).alpha}`);
engine.dispose();
