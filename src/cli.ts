#!/usr/bin/env node
/**
 * The `rectify` command: `rectify lab` (the activation lab, what `npm start` runs), `rectify plot`, `rectify claims`,
 * `rectify --version`. `rectify` alone prints the help.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync, realpathSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { createEngine } from './engine.js';
import { ACTIVATIONS, activationNames, findActivation, type ActivationDef, type ActivationSpec } from './activation-table.js';
import type { OptimizerSpec } from './network.js';
import { OPTIMIZER_CODES } from './generated/abi.js';
import { RectifyError } from './errors.js';
import { runComparison, type LabData, type RunResult } from './lab/experiment.js';
import { checkClaims, type ClaimResult } from './lab/claims.js';
import { buildReport, activationCurves } from './lab/report-builder.js';
import { loadLabData } from './lab/datasets.js';

/** A command-line mistake: printed as one line, exit code 2. */
class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `rectify — SIMD WebAssembly activations and dense networks

usage: rectify <command> [options]

commands:
  lab       train the same network once per activation and write an HTML report (what npm start runs)
  plot      draw activation curves and derivatives to an SVG file
  claims    check the activation tutorial's claims and print the measured numbers

rectify <command> --help shows each command's options; rectify --version prints the version.`,
  lab: `usage: rectify lab [options]

  --data NAME         digits (default), spirals, moons, xor, a .csv file (last column = class),
                      or images.idx.gz,labels.idx.gz (MNIST / Fashion-MNIST IDX files)
  --activations LIST  comma-separated activation names (default: every element-wise activation)
  --layers LIST       hidden layer widths (default 64,64)
  --epochs N          epochs per run (default 15; 150 for spirals, moons, xor)
  --batch N           batch size (default 32)
  --optimizer NAME    sgd, momentum, rmsprop, adam (default), adamW
  --lr X              learning rate (default 0.003; 0.02 for spirals, moons, xor)
  --seed N            seed of initialization, shuffling and the split (default 1)
  --out DIR           report folder (default ./lab-report)
  --no-claims         skip the claim checks in the report
  --claim-seeds N     seeds each claim runs at, from --seed on (default 5; the verdict is the majority)
  --json              print the results as JSON instead of a table`,
  plot: `usage: rectify plot <activation>[,<activation>...] [--params k=0.9,alpha=0.3] [--range -6,6] --out FILE.svg

  draws each activation and its derivative (computed by the wasm kernels); the title lists the parameters.
  --params NAME=VALUE,...   any parameter or option of the activations named, e.g. alpha=0.3, minVal=-2,maxVal=2,
                            domain=sigmoid (sbaf); a name applies to every activation that has it, and
                            ACTIVATION.NAME=VALUE (elu.alpha=0.5) to one activation only
  --range LO,HI             the x range (default -6,6)`,
  claims: `usage: rectify claims [--epochs N] [--seed N] [--seeds N] [--json]

  runs every claim check at N seeds (default 5: seed, seed + 1, ...) and prints the verdict of the majority with the
  spread (min / median / max) of each measured number; exit code 0 when every check ran (a claim that does not
  hold is a finding).`,
};

type Flags = Record<string, string | true>;

function parseArgs(argv: string[], allowed: readonly string[], booleans: readonly string[]): { positional: string[]; flags: Flags } {
  const positional: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) { positional.push(a); continue; }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (name === 'help') { flags.help = true; continue; }
    if (!allowed.includes(name) && !booleans.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (booleans.includes(name)) { flags[name] = true; continue; }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`--${name} needs a value`);
    flags[name] = v;
  }
  return { positional, flags };
}

function int(flags: Flags, name: string, dflt: number, min: number, max: number): number {
  const v = flags[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number in [${min}, ${max}], got ${String(v)}`);
  return n;
}

function num(flags: Flags, name: string, dflt: number, ok: (n: number) => boolean, what: string): number {
  const v = flags[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name} must be ${what}, got ${String(v)}`);
  return n;
}

/** The activations the lab compares by default: every element-wise one (sbaf through a sigmoid, so any input works). */
export function defaultLabSpecs(): ActivationSpec[] {
  return (ACTIVATIONS as readonly ActivationDef[]).filter((d) => d.kind === 'elementwise').map(labSpec);
}

function parseActivations(list: string): ActivationSpec[] {
  return list.split(',').map((s) => s.trim()).filter(Boolean).map((name) => {
    const def = findActivation(name);
    if (!def) throw new UsageError(`unknown activation "${name}"; valid: ${activationNames().join(', ')}`);
    if (def.kind !== 'elementwise') throw new UsageError(`${name} is row-wise (an output layer), not a hidden-layer activation`);
    return labSpec(def);
  });
}

/** The lab's spec of a row: activations real only on [0, 1] (sbaf) run through a sigmoid, so any input works. */
function labSpec(d: ActivationDef): ActivationSpec {
  return (d.sigmoidDomain ? { name: d.name, domain: 'sigmoid' } : { name: d.name }) as ActivationSpec;
}

function pct(v: number | null | undefined): string { return v === null || v === undefined || Number.isNaN(v) ? '-' : `${(v * 100).toFixed(1)}%`; }

function formatParams(p: Record<string, number | number[]>[]): string {
  const parts: string[] = [];
  p.forEach((layer, i) => {
    for (const [k, v] of Object.entries(layer)) {
      if (k === 'subgradient' || k === 'minVal' || k === 'maxVal' || k === 'threshold' || k === 'slope') continue;
      const s = Array.isArray(v) ? `mean ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3)}` : v.toFixed(3);
      parts.push(`L${i + 1} ${k}=${s}`);
    }
  });
  return parts.join(' ') || '-';
}

/** The results table printed by `rectify lab`. */
export function resultsTable(results: readonly RunResult[], target: number): string {
  const head = ['activation', 'train', 'test', 'loss', `ep→${pct(target)}`, 'time', '|g| L1 first→last', 'dead', 'saturated', 'learned'];
  const rows = results.map((r) => [
    r.activation, pct(r.trainAccuracy), pct(r.testAccuracy), r.finalLoss.toFixed(4), r.epochsToTarget === null ? '-' : String(r.epochsToTarget),
    `${(r.timeMs / 1000).toFixed(2)}s`, `${r.firstLayerGradNorm[0].toExponential(1)}→${r.firstLayerGradNorm[1].toExponential(1)}`,
    pct(r.deadFraction), pct(r.saturatedFraction), formatParams(r.learnedParams),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function progress(total: number): { tick(label: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let n = 0;
  return {
    tick(label) {
      n++;
      if (tty) {
        const w = 30, f = Math.round((n / total) * w);
        process.stderr.write(`\r[${'#'.repeat(f)}${'.'.repeat(w - f)}] ${n}/${total} ${label}`.padEnd(80));
      } else process.stderr.write(`${n}/${total} ${label}\n`);
    },
    done() { if (tty) process.stderr.write('\n'); },
  };
}

async function lab(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['data', 'activations', 'layers', 'epochs', 'batch', 'optimizer', 'lr', 'seed', 'out', 'claim-seeds'], ['json', 'no-claims']);
  if (flags.help) { console.log(HELP.lab); return; }
  if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const seed = int(flags, 'seed', 1, 0, 2 ** 32 - 1);
  const claimSeeds = int(flags, 'claim-seeds', 5, 1, 100);
  // The 2-D sets (spirals, moons, xor) have few rows and curved boundaries: more epochs at a larger step by default.
  const twoD = ['spirals', 'moons', 'xor'].includes(String(flags.data));
  const epochs = int(flags, 'epochs', twoD ? 150 : 15, 1, 10000);
  const batch = int(flags, 'batch', 32, 1, 65536);
  const lr = num(flags, 'lr', twoD ? 0.02 : 0.003, (n) => n > 0, 'a number > 0');
  const optName = (flags.optimizer ?? 'adam') as string;
  const optimizers = Object.keys(OPTIMIZER_CODES);
  if (!optimizers.includes(optName)) throw new UsageError(`--optimizer must be one of ${optimizers.join(', ')}; got ${optName}`);
  const layers = typeof flags.layers === 'string' ? flags.layers.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1 || n > 4096) throw new UsageError(`--layers takes widths in [1, 4096] like 64,64; got ${flags.layers}`);
    return n;
  }) : [64, 64];
  const specs = typeof flags.activations === 'string' ? parseActivations(flags.activations) : defaultLabSpecs();
  const out = resolve(typeof flags.out === 'string' ? flags.out : 'lab-report');
  const data = await loadLabData(typeof flags.data === 'string' ? flags.data : 'digits', seed);
  const engine = await createEngine();
  const target = data.inputs === 2 ? 0.9 : 0.9;
  const bar = progress(specs.length);
  const t0 = performance.now();
  const results: RunResult[] = [];
  for (const spec of specs) {
    const [r] = await runComparison(engine, data, [spec], {
      layers, epochs, batchSize: batch, optimizer: { name: optName, learningRate: lr } as OptimizerSpec, seed, targetAccuracy: target,
    });
    results.push(r!);
    bar.tick(`${r!.activation} ${pct(r!.testAccuracy)}`);
  }
  bar.done();
  const trainSeconds = (performance.now() - t0) / 1000;
  let claims: ClaimResult[] = [];
  if (!flags['no-claims']) {
    const digits = data.name === 'digits' ? data : await loadLabData('digits', seed);
    const cb = progress(9);
    claims = await checkClaims(engine, { data: digits, seed, seeds: claimSeeds, epochs: 10 }, (c) => cb.tick(`claim ${c.id} ${verdict(c)}`));
    cb.done();
  }
  await mkdir(join(out, 'charts'), { recursive: true });
  const report = buildReport(engine, data, results, claims, { layers, epochs, batch, optimizer: optName, lr, seed, trainSeconds });
  for (const [name, svg] of report.charts) await writeFile(join(out, 'charts', name), svg);
  await writeFile(join(out, 'report.html'), report.html);
  if (flags.json) {
    console.log(JSON.stringify({ data: data.name, layers, epochs, results, claims: claims.map(({ charts: _c, ...c }) => c) }, null, 2));
  } else {
    console.log(`\nrectify lab: ${data.name} (${data.trainY.length} train / ${data.testY.length} test rows), layers ${layers.join('-')}, ${epochs} epochs, ${optName} lr ${lr}, seed ${seed}\n`);
    console.log(resultsTable(results, target));
    console.log(`\ntrained ${results.length} networks in ${trainSeconds.toFixed(1)} s`);
    for (const c of claims) console.log(`claim ${c.id} ${verdict(c)}: ${c.title} — ${c.summary}`);
    console.log(`\nreport: ${join(out, 'report.html')}`);
  }
}

/** `k=v` pairs of `plot --params`: numbers where the text is a number, other values (sbaf's domain) as text. */
function parsePlotParams(text: string): [scope: string | undefined, key: string, value: number | string][] {
  return text.split(',').map((kv) => {
    const eq = kv.indexOf('=');
    const lhs = eq < 0 ? '' : kv.slice(0, eq).trim();
    const v = eq < 0 ? '' : kv.slice(eq + 1).trim();
    const dot = lhs.indexOf('.');
    const scope = dot < 0 ? undefined : lhs.slice(0, dot);
    const key = dot < 0 ? lhs : lhs.slice(dot + 1);
    if (!key || key === 'name' || v === '' || (scope !== undefined && !scope)) {
      throw new UsageError(`--params takes name=value pairs like k=0.9,alpha=0.3,domain=sigmoid or elu.alpha=0.5; got ${kv}`);
    }
    const n = Number(v);
    return [scope, key, Number.isFinite(n) ? n : v];
  });
}

/** The parameters of a spec as `k=0.9, domain=sigmoid` (empty when it has none). */
function describeSpec(spec: Readonly<Record<string, unknown>>): string {
  const kv = Object.entries(spec).filter(([k]) => k !== 'name').map(([k, v]) => `${k}=${String(v)}`);
  return kv.length ? `${String(spec.name)} (${kv.join(', ')})` : String(spec.name);
}

async function plot(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['params', 'range', 'out'], []);
  if (flags.help) { console.log(HELP.plot); return; }
  if (positional.length !== 1) throw new UsageError('plot takes one argument: activation names separated by commas');
  if (typeof flags.out !== 'string') throw new UsageError('plot needs --out FILE.svg');
  const names = positional[0]!.split(',').filter(Boolean);
  for (const n of names) if (!findActivation(n)) throw new UsageError(`unknown activation "${n}"; valid: ${activationNames().join(', ')}`);
  const pairs = typeof flags.params === 'string' ? parsePlotParams(flags.params) : [];
  let range: [number, number] = [-6, 6];
  if (typeof flags.range === 'string') {
    const [a, b] = flags.range.split(',').map(Number);
    if (!Number.isFinite(a) || !Number.isFinite(b) || !(a! < b!)) throw new UsageError(`--range takes lo,hi with lo < hi; got ${flags.range}`);
    range = [a!, b!];
  }
  const engine = await createEngine();
  // Which activation takes which key: its numeric parameters from the table; any other key (an option such as sbaf's
  // domain) when the engine accepts a spec with it. The engine then checks every value and relation (hardTanh min < max).
  const rejections: string[] = [];
  const accepts = (name: string, key: string, value: number | string): boolean => {
    const def = findActivation(name)!;
    if (def.params.some((p) => p.name === key)) return true;
    try {
      engine.activation({ name: def.name, [key]: value } as unknown as ActivationSpec).dispose();
      return true;
    } catch (e) {
      if (e instanceof RectifyError) { rejections.push(e.message); return false; }
      throw e;
    }
  };
  const specs: Record<string, unknown>[] = names.map((name) => {
    const spec: Record<string, unknown> = Object.create(null); // own keys only: --params __proto__=1 is a key, not a prototype
    spec.name = findActivation(name)!.name;
    return spec;
  });
  for (const [scope, key, value] of pairs) {
    if (scope !== undefined && !names.some((n) => n === scope || findActivation(n)!.name === scope)) {
      throw new UsageError(`--params ${scope}.${key}: ${scope} is not one of the activations plotted (${names.join(', ')})`);
    }
    let used = false;
    rejections.length = 0;
    names.forEach((n, i) => {
      if (scope !== undefined && n !== scope && findActivation(n)!.name !== scope) return;
      if (!accepts(n, key, value)) return;
      const def = findActivation(n)!;
      if (typeof value !== 'number' && def.params.some((p) => p.name === key)) throw new UsageError(`--params ${key} must be a number, got ${value}`);
      specs[i]![key] = value;
      used = true;
    });
    if (!used) throw new UsageError(`no activation named here accepts ${key}=${value}: ${rejections.join('; ')}`);
  }
  const title = `Activations: ${specs.map(describeSpec).join(', ')}`;
  const svg = activationCurves(engine, specs.map((s) => ({ ...s }) as unknown as ActivationSpec), range, title);
  await writeFile(flags.out, svg);
  console.log(`wrote ${resolve(flags.out)}`);
}

async function claims(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['epochs', 'seed', 'seeds'], ['json']);
  if (flags.help) { console.log(HELP.claims); return; }
  if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const seed = int(flags, 'seed', 1, 0, 2 ** 32 - 1);
  const seeds = int(flags, 'seeds', 5, 1, 100);
  const epochs = int(flags, 'epochs', 10, 1, 1000);
  const engine = await createEngine();
  const data = await loadLabData('digits', seed);
  const results = await checkClaims(engine, { data, seed, seeds, epochs }, (c) => {
    if (!flags.json) console.log(`claim ${c.id}: ${verdict(c)} — ${c.title}\n  ${c.statement}\n  measured: ${c.summary}\n${spreadLines(c)}`);
  });
  if (flags.json) console.log(JSON.stringify(results.map(({ charts: _c, ...c }) => c), null, 2));
  else console.log(`${results.filter((r) => r.holds).length} of ${results.length} claims hold as stated`);
}

/** The package's version, read from the package.json next to `src/` and `dist/` (both one level below it). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new Error('package.json has no version');
  return pkg.version;
}

/** PASS or DOES NOT HOLD AS STATED, with the count of seeds when they disagree. */
function verdict(c: ClaimResult): string {
  const held = c.holdsAt.filter(Boolean).length;
  const word = c.holds ? 'PASS' : 'DOES NOT HOLD AS STATED';
  return held === 0 || held === c.holdsAt.length ? word : `${word} (${held} of ${c.holdsAt.length} seeds)`;
}

/** The spread of a claim's numbers over the seeds, one indented line each (nothing for a single seed). */
function spreadLines(c: ClaimResult): string {
  if (c.seeds.length < 2) return '';
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(3));
  // Numbers that do not depend on the seed (the analytic parts of a claim) would repeat themselves: left out.
  const lines = Object.entries(c.spread).filter(([, s]) => s.min !== s.max).map(([k, s]) => `    ${k}: ${f(s.min)} / ${f(s.median)} / ${f(s.max)}`);
  if (!lines.length) return '';
  return `  over seeds ${c.seeds.join(', ')} (min / median / max):\n${lines.join('\n')}\n`;
}

/** Runs the command line; returns the exit code. `rectify` alone prints the help. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') { console.log(HELP.main); return 0; }
    if (cmd === '--version' || cmd === '-v') { console.log(packageVersion()); return 0; }
    if (cmd.startsWith('-')) throw new UsageError(`unknown option ${cmd}; lab options go after the command: rectify lab ${cmd} (rectify --help)`);
    if (cmd === 'lab') await lab(rest);
    else if (cmd === 'plot') await plot(rest);
    else if (cmd === 'claims') await claims(rest);
    else throw new UsageError(`unknown command "${cmd}"; commands: lab, plot, claims (rectify --help)`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof RectifyError) {
      console.error(`rectify: ${e.message}`);
      return 2;
    }
    // A file the command cannot read or write (--out in a missing folder, no permission): one line too.
    const code = (e as { code?: unknown } | null)?.code;
    if (e instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      console.error(`rectify: ${e.message.split('\n')[0]}`);
      return 2;
    }
    throw e;
  }
}

function isMainModule(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(new URL(import.meta.url));
  } catch { return false; }
}
const isMain = isMainModule();
if (isMain) process.exitCode = await main(process.argv.slice(2));
