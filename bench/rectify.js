// The rectify side of the benchmarks: a thin adapter over the public API of dist/index.js.
// Everything rectify-specific the harness needs is here, so run.js only deals with "a peer" and "a table row".

import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

/**
 * Loads rectify from `distDir` (default: ../dist next to this folder).
 * @returns {Promise<{ ok: true, api } | { ok: false, reason: string }>}
 */
export async function loadRectify(distDir) {
  const dir = distDir ? path.resolve(distDir) : fileURLToPath(new URL('../dist/', import.meta.url));
  const entry = path.join(dir, 'index.js');
  if (!existsSync(entry)) return { ok: false, reason: `${entry} is missing (run \`npm run build\`)` };
  try {
    const api = await import(pathToFileURL(entry).href);
    if (typeof api.createEngine !== 'function' || !Array.isArray(api.ACTIVATIONS)) {
      return { ok: false, reason: `${entry} does not export createEngine and ACTIVATIONS` };
    }
    return { ok: true, api, dir };
  } catch (e) {
    return { ok: false, reason: `${entry} failed to load: ${e.message}` };
  }
}

/** Parameter names and defaults of a table row (params is an array of ParamDef; an object map is accepted too). */
export function paramDefaults(def) {
  const out = {};
  const ps = def.params ?? [];
  if (Array.isArray(ps)) for (const p of ps) out[p.name] = p.default;
  else for (const [k, p] of Object.entries(ps)) out[k] = p.default;
  return out;
}

/**
 * rectify forward and backward for one table row, on tensors that live in the engine's memory (no copies).
 * @param engine an Engine from createEngine()
 * @param def a row of ACTIVATIONS
 * @param {{ x: Float32Array, dy: Float32Array, rows: number, cols: number }} input
 */
export function rectifyPeer(engine, def, input) {
  const n = input.x.length;
  const act = engine.activation(def.name); // table defaults
  const x = engine.tensor(n);
  const dy = engine.tensor(n);
  const y = engine.tensor(n);
  const dx = engine.tensor(n);
  x.data.set(input.x);
  dy.data.set(input.dy);
  const rowwise = def.kind === 'rowwise';
  const shape = rowwise ? { rows: input.rows, cols: input.cols } : {};
  const fo = { ...shape, out: y };
  const bo = { ...shape, out: dx };
  act.forward(x, fo);
  // The public backward takes x for every kind. For softmax/logSoftmax it recomputes the forward output into a
  // scratch block and then applies the row-wise vector-Jacobian product: that is what a user gets, so we time it.
  const forward = () => { act.forward(x, fo); };
  const backward = () => { act.backward(x, dy, bo); };
  return {
    forward,
    backward,
    values() { forward(); backward(); return { y: y.data.slice(), dx: dx.data.slice() }; },
    dispose() { for (const t of [x, dy, y, dx]) t.dispose?.(); act.dispose?.(); },
  };
}
