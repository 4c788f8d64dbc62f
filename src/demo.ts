/**
 * `npm start`: a short tour of the engine (the activation lab replaces it).
 * @module
 */
import { ACTIVATIONS, createEngine } from './index.js';

const engine = await createEngine();
const xs = Float32Array.from([-3, -1, -0.5, 0, 0.5, 1, 3]);
console.log(`rectify: ${ACTIVATIONS.length} activations, SIMD WebAssembly (${engine.relaxedSimd ? 'relaxed' : 'baseline'} build)\n`);
console.log(`x            ${[...xs].map((v) => v.toFixed(3).padStart(8)).join('')}`);
for (const def of ACTIVATIONS) {
  if (def.kind !== 'elementwise') continue;
  const act = engine.activation(def.name);
  const y = act.forward(xs);
  const d = act.derivative(xs);
  console.log(`${def.name.padEnd(12)} ${[...y].map((v) => v.toFixed(3).padStart(8)).join('')}`);
  console.log(`${(def.name + "'").padEnd(12)} ${[...d].map((v) => v.toFixed(3).padStart(8)).join('')}`);
}
