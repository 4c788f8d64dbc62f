// THE description of the ABI between the host (src/) and the wasm (assembly/): the plan's word offsets, the loss,
// optimizer, initializer and kernel-variant codes, and the typed list of the module's exports. Run at build time
// (npm run asbuild), it writes
//   assembly/generated/abi.ts   the codes and offsets as AssemblyScript constants (read by assembly/nn/net.ts)
//   src/generated/abi.ts        the same as TypeScript constants, and `WasmExports`: one typed method per export,
//                               parsed from the `export function` signatures of the files assembly/index.ts exports.
//   assembly/generated/dispatch.ts  act_fwd / act_bwd / act_pgrad: the network's kernels by number (the row's index
//                               in the table) and variant, one case per row, re-exported by assembly/nn/dispatch.ts
//   src/generated/kernels.ts    the type `KernelNames`: every kernel name the activation table implies (by the naming
//                               rule of src/kernel-names.ts, SIMD and scalar twins) as export names, so a row whose
//                               kernel is missing from assembly/ fails to compile.
// Both generated folders are git-ignored. Change a number here, never in the generated files.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { buildSync } from 'esbuild';

/** The plan: a header of HEADER_WORDS 32-bit words, then LAYER_WORDS words per layer (see assembly/nn/net.ts). */
export const ABI = {
  HEADER_WORDS: 64,
  LAYER_WORDS: 32,
  /** Header word offsets (prefix H_ in AssemblyScript). Word 18 is unused. */
  header: {
    LAYERS: 0, INPUTS: 1, CAPACITY: 2, LOSS: 3, OPT: 4, LR: 5, B1: 6, B2: 7, EPS: 8, WD: 9, NESTEROV: 10, CLIP: 11,
    T: 12, B1T: 13, B2T: 14, SCRATCH: 15, DA: 16, DB: 17, DIAG: 19, DIAG_ON: 20,
    /** The network's generator state (16 bytes): dropout masks are drawn from it. */
    RNG: 40,
    /** Per-row loss weights of the next step (f32[rows], class and sample weights), 0: unweighted. */
    SW: 48,
  },
  /** Per-layer word offsets (prefix L_). */
  layer: {
    IN: 0, OUT: 1, W: 2, B: 3, ACT: 4, P: 5, PU: 6, Z: 7, Y: 8, DZ: 9, GW: 10, GB: 11, GP: 12, NP: 13, MASK: 14,
    MW: 15, VW: 16, MB: 17, VB: 18, MP: 19, VP: 20, HASPG: 21, LO: 22, HI: 23,
    /** 1: the layer is frozen (its weights, bias and activation parameters are not updated; backprop still runs). */
    FROZEN: 24,
    /** f32 L1 and L2 penalty factors of a dense layer's weights (0: none). */
    L1: 25, L2: 26,
    /**
     * Layer kinds (KIND_* codes). Words of the non-dense kinds: FA (f32) dropout rate or batchNorm momentum, FB (f32)
     * epsilon, RM running mean then running variance (batchNorm), STAT statistics row buffer (batchNorm 3 x units,
     * layerNorm one per row). W and B hold gamma and beta, GW and GB their gradients; Z holds the dropout mask or xhat.
     */
    KIND: 27, FA: 28, FB: 29, RM: 30, STAT: 31,
  },
  /** Layer kinds (layer word KIND; prefix KIND_). */
  kind: { dense: ['DENSE', 0], dropout: ['DROPOUT', 1], batchNorm: ['BATCHNORM', 2], layerNorm: ['LAYERNORM', 3] },
  /** Loss codes (header word LOSS; prefix LOSS_). */
  loss: { mse: ['MSE', 0], binaryCrossEntropy: ['BCE', 1], crossEntropy: ['CE', 2] },
  /** Optimizer codes (header word OPT; prefix OPT_). */
  optimizer: { sgd: ['SGD', 0], momentum: ['MOMENTUM', 1], rmsprop: ['RMSPROP', 2], adam: ['ADAM', 3], adamW: ['ADAMW', 4] },
  /** Initializer codes (init_weights' kind; prefix INIT_). */
  init: {
    zeros: ['ZEROS', 0], heNormal: ['HE_NORMAL', 1], heUniform: ['HE_UNIFORM', 2], glorotNormal: ['GLOROT_NORMAL', 3],
    glorotUniform: ['GLOROT_UNIFORM', 4], lecunNormal: ['LECUN_NORMAL', 5], lecunUniform: ['LECUN_UNIFORM', 6],
  },
  /** Kernel variants (layer word PU; prefix VARIANT_): which kernels of an activation the dispatch calls. */
  variant: { none: ['NONE', 0], perUnit: ['PER_UNIT', 1], sigmoidDomain: ['SIGMOID_DOMAIN', 2] },
};

const root = new URL('../', import.meta.url);
const read = (p) => readFileSync(new URL(p, root), 'utf8');

/** Every `export function` of the files assembly/index.ts exports (and of itself), with its parameter list. */
export function wasmExports() {
  const index = read('assembly/index.ts');
  const files = [];
  for (const m of index.matchAll(/^export \* from '\.\/([\w/]+)';$/gm)) files.push({ file: m[1], only: null });
  for (const m of index.matchAll(/^export \{([^}]*)\} from '\.\/([\w/]+)';$/gm)) {
    files.push({ file: m[2], only: new Set(m[1].split(',').map((s) => s.trim()).filter(Boolean)) });
  }
  const out = [];
  const scan = (src, only, file) => {
    // `export { a, b } from './x'` inside a kernel file (assembly/nn/dispatch.ts): the signatures are in x.
    for (const m of src.matchAll(/^export \{([^}]*)\} from '(\.[\w/.]+)';$/gm)) {
      const target = new URL(`${m[2]}.ts`, new URL(`assembly/${file}.ts`, root)).pathname.replace(/^.*\/assembly\//, '').replace(/\.ts$/, '');
      const names = new Set(m[1].split(',').map((x) => x.trim()).filter((x) => x && (!only || only.has(x))));
      scan(read(`assembly/${target}.ts`), names, target);
    }
    for (const m of src.matchAll(/^export function (\w+)\s*\(([^)]*)\)\s*:\s*(\w+)/gm)) {
      if (only && !only.has(m[1])) continue;
      const params = m[2].split(',').map((s) => s.trim()).filter(Boolean).map((p) => {
        const [name, type] = p.split(':').map((s) => s.trim());
        return { name, type: type.replace(/\s*=.*$/, '') };
      });
      out.push({ name: m[1], params, result: m[3], file });
    }
  };
  for (const { file, only } of files) scan(read(`assembly/${file}.ts`), only, file);
  scan(index, null, 'index');
  const seen = new Set();
  return out.filter((f) => !seen.has(f.name) && seen.add(f.name)); // index.ts re-exports what its files export

}

const tsType = (t) => (t === 'i64' || t === 'u64' ? 'bigint' : t === 'void' ? 'void' : t === 'bool' ? 'number' : 'number');
/** Exports only the twins build has (rectify-twins.wasm): scalar twins, naive references and the math_* probes. */
const twinsOnly = (name) => /_(scalar|naive)$/.test(name) || /^math_/.test(name);

/**
 * The activation table (src/activation-table.ts and the rows of src/activations/) and the kernel-naming rule
 * (src/kernel-names.ts, with the host's kernel list and their short export names), evaluated: bundled by esbuild in
 * memory.
 */
export async function tableModule() {
  const out = buildSync({
    stdin: {
      contents: "export { ACTIVATIONS } from './src/activation-table.ts'; export { hostKernels, kernelSet, shortExportName, variantsOf } from './src/kernel-names.ts';",
      resolveDir: new URL('.', root).pathname, loader: 'ts',
    },
    bundle: true, write: false, format: 'esm', platform: 'neutral', logLevel: 'silent',
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** The activation table, evaluated (bench/run.js reads it when dist/ is missing). */
export async function activationTable() { return (await tableModule()).ACTIVATIONS; }

/**
 * src/generated/kernels.ts: every kernel name the table implies (SIMD and scalar twins, by src/kernel-names.ts) as
 * a tuple of `ExportName`s, type only. A row whose kernel assembly/ does not export fails to compile here.
 */
function kernelsTs(table, { kernelSet, variantsOf }) {
  const names = table.flatMap((def) => variantsOf(def).flatMap((v) => [false, true].flatMap((scalar) => Object.values(kernelSet(def, v, scalar)))));
  return ['// Generated by scripts/gen-abi.mjs from the activation table: do not edit.', '/* eslint-disable */',
    "import type { ExportName } from './abi.js';", '',
    'type Exports<T extends readonly ExportName[]> = T;',
    '/** Every kernel the rows name (src/kernel-names.ts): a name the module does not export is a compile error. */',
    'export type KernelNames = Exports<[',
    ...names.map((n) => `  '${n}',`),
    ']>;', ''].join('\n');
}

/** The kernel file (assembly/activations/<family>.ts) that exports a row's `<name>_fwd`. */
function familyOf(def, families) {
  const hit = families.find((f) => new RegExp(`^export function ${def.name}_fwd\\b`, 'm').test(f.src));
  if (!hit) throw new Error(`gen-abi: no assembly/activations/*.ts exports ${def.name}_fwd (the table row ${def.name} has no kernel file)`);
  return hit.module;
}

/** assembly/generated/dispatch.ts: one case per table row, numbered by its index, variants from the row. */
function dispatchAs(table, { kernelSet, variantsOf }) {
  const dir = new URL('assembly/activations/', root);
  const families = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort().map((f) => ({ module: f.replace(/\.ts$/, ''), src: readFileSync(new URL(f, dir), 'utf8') }));
  const used = new Set(table.map((d) => familyOf(d, families)));
  const lines = ['// Generated by scripts/gen-abi.mjs from the activation table (src/activation-table.ts): do not edit.',
    '// Activation kernels by number, for the network\'s single-call training step. The number of an activation is its',
    '// index in ACTIVATIONS; `v` selects a variant (VARIANT_* from the ABI description). tests/dispatch.test.ts checks',
    '// every row against its named kernels, bit for bit.', '',
    "import { VARIANT_PER_UNIT, VARIANT_SIGMOID_DOMAIN } from './abi';"];
  for (const f of [...used].sort()) lines.push(`import * as ${f} from '../activations/${f}';`);
  const call = (def, variant, op, args) => `${familyOf(def, families)}.${kernelSet(def, variant)[op]}(${args})`;
  const body = (op, args) => table.map((def, id) => {
    const vs = variantsOf(def);
    if (op === 'pgrad' && !def.params.some((p) => p.trainable)) return null;
    const a = (variant) => args(def, variant);
    let stmt = `${call(def, 'none', op, a('none'))};`;
    if (vs.includes('perUnit')) stmt = `if (v == VARIANT_PER_UNIT) ${call(def, 'perUnit', op, a('perUnit'))}; else ${stmt}`;
    if (vs.includes('sigmoidDomain')) stmt = `if (v == VARIANT_SIGMOID_DOMAIN) ${call(def, 'sigmoidDomain', op, a('sigmoidDomain'))}; else ${stmt}`;
    return `    case ${id}: ${stmt} break; // ${def.name}`;
  }).filter(Boolean);
  const rowwise = (def) => def.kind === 'rowwise';
  lines.push('', '/** y = f(x) for a rows x cols block. */',
    'export function act_fwd(id: i32, x: usize, y: usize, rows: i32, cols: i32, p: usize, v: i32): void {', '  const n = rows * cols;', '  switch (id) {',
    ...body('fwd', (d, vr) => (rowwise(d) ? 'x, y, rows, cols' : vr === 'perUnit' ? 'x, y, rows, cols, p' : 'x, y, n, p')),
    '    default: unreachable();', '  }', '}');
  lines.push('', '/** dx = dy * f\'(x) (row-wise activations use the forward output y instead of x). */',
    'export function act_bwd(id: i32, x: usize, y: usize, dy: usize, dx: usize, rows: i32, cols: i32, p: usize, v: i32): void {', '  const n = rows * cols;', '  switch (id) {',
    ...body('bwd', (d, vr) => (rowwise(d) ? 'y, dy, dx, rows, cols' : vr === 'perUnit' ? 'x, dy, dx, rows, cols, p' : 'x, dy, dx, n, p')),
    '    default: unreachable();', '  }', '}');
  lines.push('', '/** Gradients of the trainable activation parameters (written to g). */',
    'export function act_pgrad(id: i32, x: usize, dy: usize, rows: i32, cols: i32, p: usize, g: usize, v: i32): void {', '  const n = rows * cols;', '  switch (id) {',
    ...body('pgrad', (d, vr) => (vr === 'perUnit' ? 'x, dy, rows, cols, p, g' : 'x, dy, n, p, g')),
    '    default: break; // no trainable parameters', '  }', '}', '');
  return lines.join('\n');
}

export async function generate() {
  mkdirSync(new URL('assembly/generated/', root), { recursive: true });
  mkdirSync(new URL('src/generated/', root), { recursive: true });
  // The dispatch first: the export list below reads its signatures (assembly/nn/dispatch.ts re-exports it).
  const mod = await tableModule();
  const table = mod.ACTIVATIONS;
  writeFileSync(new URL('assembly/generated/dispatch.ts', root), dispatchAs(table, mod));
  const as = ['// Generated by scripts/gen-abi.mjs (the ABI description): do not edit.', ''];
  const ts = ['// Generated by scripts/gen-abi.mjs (the ABI description): do not edit.', '/* eslint-disable */', ''];
  as.push(`export const HEADER_WORDS: i32 = ${ABI.HEADER_WORDS};`, `export const LAYER_WORDS: i32 = ${ABI.LAYER_WORDS};`);
  for (const [k, v] of Object.entries(ABI.header)) as.push(`export const H_${k}: i32 = ${v};`);
  for (const [k, v] of Object.entries(ABI.layer)) as.push(`export const L_${k}: i32 = ${v};`);
  for (const [group, prefix] of [['loss', 'LOSS'], ['optimizer', 'OPT'], ['init', 'INIT'], ['variant', 'VARIANT'], ['kind', 'KIND']]) {
    for (const [, [k, v]] of Object.entries(ABI[group])) as.push(`export const ${prefix}_${k}: i32 = ${v};`);
  }
  as.push('');

  const obj = (o) => `{ ${Object.entries(o).map(([k, v]) => `${k}: ${Array.isArray(v) ? v[1] : v}`).join(', ')} }`;
  ts.push('/** Words of the plan header; layer l starts at word HEADER_WORDS + LAYER_WORDS * l. */');
  ts.push(`export const HEADER_WORDS = ${ABI.HEADER_WORDS};`, `export const LAYER_WORDS = ${ABI.LAYER_WORDS};`);
  // Const enums: tsc writes each offset as a number literal where it is used (H.LR becomes 5), so the core download
  // carries neither the two tables nor the property reads (0.2 KiB brotli). tests/abi.test.ts checks ABI itself.
  const constEnum = (o) => `{ ${Object.entries(o).map(([k, v]) => `${k} = ${v}`).join(', ')} }`;
  ts.push('/** Header word offsets. */', `export const enum H ${constEnum(ABI.header)}`);
  ts.push('/** Per-layer word offsets. */', `export const enum L ${constEnum(ABI.layer)}`);
  ts.push('/** Loss codes. */', `export const LOSS_CODES = ${obj(ABI.loss)} as const;`);
  ts.push('/** Optimizer codes. */', `export const OPTIMIZER_CODES = ${obj(ABI.optimizer)} as const;`);
  ts.push('/** Weight initializer codes. */', `export const INIT_CODES = ${obj(ABI.init)} as const;`);
  ts.push('/** Kernel variant codes. */', `export const VARIANT_CODES = ${obj(ABI.variant)} as const;`);
  ts.push('/** Layer kind codes. */', `export const KIND_CODES = ${obj(ABI.kind)} as const;`, '');

  const fns = wasmExports();
  ts.push('/**', ' * Every export of rectify\'s WebAssembly module, typed (parsed from the AssemblyScript signatures). Pointers are byte',
    ' * addresses (usize), counts i32. Members marked optional exist only in the twins build (rectify-twins.wasm).', ' */');
  ts.push('export interface WasmExports {', '  readonly memory: WebAssembly.Memory;');
  for (const f of fns) {
    const params = f.params.map((p) => `${p.name}: ${tsType(p.type)}`).join(', ');
    ts.push(`  /** assembly/${f.file}.ts */`, `  readonly ${f.name}${twinsOnly(f.name) ? '?' : ''}: (${params}) => ${tsType(f.result)};`);
  }
  ts.push('}', '');
  ts.push('/** A function export\'s name. */', 'export type ExportName = Exclude<keyof WasmExports, \'memory\'>;', '');
  ts.push('/** Each function export with its parameter count (the tests check the builds against this list). */');
  ts.push(`export const EXPORT_ARITY: Readonly<Record<ExportName, number>> = {`);
  for (const f of fns) ts.push(`  ${f.name}: ${f.params.length},`);
  ts.push('};', '');
  ts.push('/** Whether an export exists only in the twins build (scalar twins, naive references, math_* probes). */');
  ts.push('export function isTwinsOnly(name: string): boolean { return /_(scalar|naive)$/.test(name) || /^math_/.test(name); }', '');

  mkdirSync(new URL('assembly/generated/', root), { recursive: true });
  mkdirSync(new URL('src/generated/', root), { recursive: true });
  writeFileSync(new URL('assembly/generated/abi.ts', root), as.join('\n'));
  writeFileSync(new URL('src/generated/abi.ts', root), ts.join('\n'));
  writeFileSync(new URL('src/generated/kernels.ts', root), kernelsTs(table, mod));
}

if (import.meta.url === `file://${process.argv[1]}`) await generate();
