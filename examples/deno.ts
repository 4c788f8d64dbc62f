// rectify in Deno: `deno run --allow-read examples/deno.ts`
// In your project: `deno add npm:rectify` (or import from 'npm:rectify'); --allow-read lets the engine read
// rectify.wasm next to the package's JavaScript.
import { ACTIVATIONS, createEngine } from 'rectify';

const fmt = (a: Float32Array) => Array.from(a, (v) => +v.toPrecision(6)).join(' ');

const engine = await createEngine({ relaxedSimd: true });
console.log(`rectify in Deno ${Deno.version.deno}: ${ACTIVATIONS.length} activations, ` +
  `${engine.relaxedSimd ? 'relaxed-SIMD' : 'baseline SIMD'} build`);

// Float32Arrays in, Float32Arrays out.
const x = new Float32Array([-2, -0.5, 0, 0.5, 2]);
for (const def of ACTIVATIONS) {
  const act = engine.activation(def.name);
  console.log(`${def.name.padEnd(10)} f(x)  = ${fmt(act.forward(x))}`);
  act.dispose();
}

// Tensors live in the engine's memory: no copies between calls.
const n = 1 << 20;
const t = engine.tensor(n);
for (let i = 0; i < n; i++) t.data[i] = (i % 2001) / 100 - 10;
const relu = engine.activation('relu');
const start = performance.now();
for (let k = 0; k < 50; k++) relu.forward(t, { out: t });
const ms = performance.now() - start;
console.log(`relu in place on ${n} floats: ${((50 * n) / ms / 1e6).toFixed(2)} G elements/s`);
t.dispose();
engine.dispose();
