// Property-based tests of the data loaders (issue 8): random and mutated CSV text, gzip bytes, IDX bytes,
// trainTestSplit arguments and synthetic-set options. Invariants: only RectifyError escapes; what loads is a
// well-formed data set (finite float32 values, labels in 0..classes-1, sizes that agree); output size is bounded by
// the input (or by maxBytes), so memory stays bounded; streamed and one-shot CSV parsing agree.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { parseCsv, parseCsvStream, fitStandardizer, applyStandardizer, type CsvDataset } from '../../src/data/csv.js';
import { decodeBase64 } from '../../src/data/digits.js';
import { fnv1a } from '../../src/data/random.js';
import { gunzip, gunzipChunks } from '../../src/data/gzip.js';
import { parseIdxImages, parseIdxLabels, IdxReader, type IdxImages } from '../../src/data/idx.js';
import { trainTestSplit } from '../../src/data/digits.js';
import { spirals, moons, xor } from '../../src/data/synthetic.js';
import { RectifyError } from '../../src/errors.js';
import { runs, SEED, TIMEOUT } from './budget.js';

const params = (short: number, long: number) => ({ numRuns: runs(short, long), seed: SEED, endOnFailure: true });

/** Runs f; a thrown value must be a RectifyError. Returns the result or the error. */
function outcome<T>(f: () => T): { ok: true; value: T } | { ok: false; error: RectifyError } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (!(e instanceof RectifyError)) throw new Error(`a non-RectifyError escaped: ${String(e)}`, { cause: e });
    return { ok: false, error: e };
  }
}

async function outcomeAsync<T>(f: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: RectifyError }> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    if (!(e instanceof RectifyError)) throw new Error(`a non-RectifyError escaped: ${String(e)}`, { cause: e });
    return { ok: false, error: e };
  }
}

function checkCsv(d: CsvDataset): void {
  expect(d.rows).toBeGreaterThanOrEqual(1);
  expect(d.cols).toBeGreaterThanOrEqual(1);
  expect(d.x.length).toBe(d.rows * d.cols);
  expect(d.labels.length).toBe(d.rows);
  expect(d.classes).toBeLessThanOrEqual(65536);
  for (const v of d.x) expect(Number.isFinite(v)).toBe(true);
  let max = -1;
  for (const l of d.labels) {
    expect(Number.isInteger(l) && l >= 0 && l < d.classes).toBe(true);
    if (l > max) max = l;
  }
  expect(max + 1).toBeLessThanOrEqual(d.rows);
}

// Tokens that exercise the parser's edges: numbers near the float32 and class-id limits, quotes, BOM, CR, signs.
const TOKENS = [
  '0', '1', '2', '7', '-', '+', '.', 'e', 'E', ',', ';', '\n', '\r\n', '\r', '"', ' ', '\t', 'x', '\ufeff', 'é',
  '1e39', '-1e39', '3.4028235e38', '3.5e38', '1e-50', '65535', '65536', '2147483647', 'NaN', 'Infinity', '0x10',
  '150,4,setosa,versicolor,virginica', 'a,b,label',
];
const token = fc.constantFrom(...TOKENS);
const validCsv = fc
  .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }))
  .chain(([cols, rows, classes]) =>
    fc.array(
      fc.tuple(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: cols, maxLength: cols }), fc.integer({ min: 0, max: Math.min(classes, rows) - 1 })),
      { minLength: rows, maxLength: rows },
    ),
  )
  .map((rows) => rows.map(([xs, l]) => [...xs.map(String), String(l)].join(',')).join('\n') + '\n');

/** Applies edits (replace, insert or delete a token at a relative position) to a text. */
const mutated = fc
  .tuple(validCsv, fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('ins', 'del', 'rep'), token), { maxLength: 6 }))
  .map(([text, edits]) => {
    let s = text;
    for (const [at, op, t] of edits) {
      const i = Math.floor(at * s.length);
      if (op === 'ins') s = s.slice(0, i) + t + s.slice(i);
      else if (op === 'del') s = s.slice(0, i) + s.slice(i + 1 + t.length);
      else s = s.slice(0, i) + t + s.slice(i + t.length);
    }
    return s;
  });
const csvText = fc.oneof(
  mutated,
  fc.string({ unit: token, maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const csvOptions = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      labelColumn: fc.oneof(fc.integer({ min: -4, max: 4 }), fc.constantFrom(1.5, NaN, 2 ** 60, '1' as unknown as number)),
      header: fc.constantFrom<'auto' | boolean>('auto', true, false),
      delimiter: fc.constantFrom(',', ';', '\t', ',,', '', '"'),
      maxColumns: fc.constantFrom(2, 3, 65536, 1, 0.5),
    },
    { requiredKeys: [] },
  ),
);

function sameOutcome(a: ReturnType<typeof outcome<CsvDataset>>, b: ReturnType<typeof outcome<CsvDataset>>): void {
  expect(b.ok).toBe(a.ok);
  if (a.ok && b.ok) {
    expect(Array.from(b.value.x)).toEqual(Array.from(a.value.x));
    expect(Array.from(b.value.labels)).toEqual(Array.from(a.value.labels));
    expect([b.value.rows, b.value.cols, b.value.classes]).toEqual([a.value.rows, a.value.cols, a.value.classes]);
  } else if (!a.ok && !b.ok) {
    expect(b.error.message).toBe(a.error.message);
  }
}

describe('data loaders under generated input', () => {
  it('CSV: random and mutated text loads as a well-formed data set or fails with a RectifyError; chunking changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(csvText, csvOptions, fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 8 }), async (text, options, cuts) => {
        const one = outcome(() => parseCsv(text, options));
        if (one.ok) checkCsv(one.value);
        // The same text in chunks of the generated sizes, as strings and (when well-formed) as UTF-8 bytes.
        const chunks: string[] = [];
        for (let i = 0, k = 0; i < text.length; k++) {
          const n = cuts[k % cuts.length]!;
          chunks.push(text.slice(i, i + n));
          i += n;
        }
        const streamed = await outcomeAsync(() => parseCsvStream(chunks, options));
        sameOutcome(one, streamed as typeof one);
        if (text.isWellFormed()) {
          const bytes = new TextEncoder().encode(text);
          const parts: Uint8Array[] = [];
          for (let i = 0, k = 0; i < bytes.length; k++) {
            const n = cuts[k % cuts.length]!;
            parts.push(bytes.subarray(i, i + n));
            i += n;
          }
          sameOutcome(one, (await outcomeAsync(() => parseCsvStream(parts, options))) as typeof one);
        }
      }),
      params(800, 50_000),
    );
  }, TIMEOUT);

  const idxFile = (magic: number, dims: number[], data: Uint8Array): Uint8Array => {
    const out = new Uint8Array(4 + 4 * dims.length + data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, magic, false);
    dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d >>> 0, false));
    out.set(data, 4 + 4 * dims.length);
    return out;
  };
  const dim = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(0xffffffff, 0x10000, 60000, 2 ** 31));
  const idxBytes = fc
    .tuple(
      fc.constantFrom(0x803, 0x801, 0xd03, 0x802, 0x08030000, 0),
      fc.array(dim, { minLength: 0, maxLength: 4 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }),
      fc.integer({ min: 0, max: 8 }),
    )
    .map(([magic, dims, data, flips, cut]) => {
      const f = idxFile(magic, dims, data);
      for (const [at, v] of flips) f[at % f.length] = v;
      return f.subarray(0, Math.max(0, f.length - cut));
    });
  const gzOrRaw = fc.tuple(idxBytes, fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 3 })).map(([raw, gz, flips]) => {
    if (!gz) return raw;
    const z = new Uint8Array(gzipSync(raw));
    for (const [at, v] of flips) z[2 + (at % (z.length - 2))] = v; // keep the gzip magic, damage the rest
    return z;
  });

  it('IDX: random, mutated and gzipped bytes give consistent images/labels or a RectifyError; output bounded by input', async () => {
    await fc.assert(
      fc.asyncProperty(gzOrRaw, fc.constantFrom('images', 'labels'), fc.constantFrom(undefined, 16, 1 << 20), async (bytes, kind, maxBytes) => {
        const opts = maxBytes === undefined ? {} : { maxBytes };
        const raw = !(bytes[0] === 0x1f && bytes[1] === 0x8b);
        if (kind === 'images') {
          const r = await outcomeAsync(() => parseIdxImages(bytes, 'fuzz', opts));
          if (r.ok) {
            const d = r.value as IdxImages;
            expect(d.x.length).toBe(d.rows * d.cols);
            expect(d.cols).toBe(d.height * d.width);
            if (raw) expect(d.x.length).toBeLessThanOrEqual(bytes.length);
            for (const v of d.x) expect(v >= 0 && v <= 1).toBe(true);
          }
        } else {
          const r = await outcomeAsync(() => parseIdxLabels(bytes, 'fuzz', opts));
          if (r.ok) {
            expect(r.value.length).toBeGreaterThanOrEqual(1);
            if (raw) expect(r.value.length).toBeLessThanOrEqual(bytes.length);
          }
        }
        // The incremental reader fed byte by byte agrees with the one-shot parse of raw bytes.
        if (raw) {
          const one = await outcomeAsync(() => (kind === 'images' ? parseIdxImages(bytes, 'fuzz', opts) : parseIdxLabels(bytes, 'fuzz', opts)));
          const inc = outcome(() => {
            const reader = new IdxReader(kind, 'fuzz', opts);
            for (let i = 0; i < bytes.length; i++) reader.push(bytes.subarray(i, i + 1));
            return reader.end();
          });
          expect(inc.ok).toBe(one.ok);
          if (!one.ok && !inc.ok) expect(inc.error.message).toBe(one.error.message);
        }
      }),
      params(800, 50_000),
    );
  }, TIMEOUT);

  it('gzip: random and damaged gzip bytes inflate to at most maxBytes or fail with a RectifyError', async () => {
    const member = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => new Uint8Array([0x1f, 0x8b, ...b])),
      fc.tuple(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 3 }), fc.nat({ max: 12 })).map(([b, flips, cut]) => {
        const z = new Uint8Array(gzipSync(b));
        for (const [at, v] of flips) z[at % z.length] = v;
        return z.subarray(0, z.length - cut);
      }),
      fc.uint8Array({ maxLength: 64 }),
    );
    await fc.assert(
      fc.asyncProperty(member, fc.constantFrom(1, 100, 1 << 20, undefined), async (bytes, maxBytes) => {
        const r = await outcomeAsync(() => gunzip(bytes, 'fuzz', maxBytes === undefined ? {} : { maxBytes }));
        if (r.ok) expect(r.value.length).toBeLessThanOrEqual(maxBytes ?? 256 * 2 ** 20);
        // Stopping early (after the first chunk) leaves nothing running and no unhandled rejection.
        await outcomeAsync(async () => { for await (const _ of gunzipChunks(bytes, 'fuzz')) break; });
      }),
      params(400, 30_000),
    );
  }, TIMEOUT);

  it('trainTestSplit: any arguments give a partition of the rows or a RectifyError', () => {
    const dataset = fc
      .record({
        rows: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(-1, 1.5, NaN, 2 ** 40)),
        cols: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom(-1, 0.5, Infinity)),
        classes: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constantFrom(2 ** 31 - 1, 2 ** 31, 65537, NaN, -3, 1.5)),
        xExtra: fc.integer({ min: -1, max: 1 }),
        labels: fc.array(fc.integer({ min: -2, max: 60 }), { maxLength: 45 }),
        int32: fc.boolean(),
      })
      .map(({ rows, cols, classes, xExtra, labels, int32 }) => {
        const n = Number.isSafeInteger(rows) && Number.isSafeInteger(cols) && rows > 0 && cols > 0 && rows * cols < 1000 ? rows * cols + xExtra : 3;
        const lab = int32 ? Int32Array.from(labels) : Uint8Array.from(labels.map((l) => l & 255));
        return { x: new Float32Array(Math.max(0, n)).map((_, i) => i), rows, cols, classes, labels: lab };
      });
    const weird = fc.constantFrom<unknown>(undefined, null, 0, 'data', [], {});
    fc.assert(
      fc.property(
        fc.oneof(dataset, weird),
        fc.oneof(fc.double({ min: -0.5, max: 1.5 }), fc.constantFrom<unknown>(NaN, '0.2', null)),
        fc.oneof(fc.integer(), fc.constantFrom<unknown>(1.5, NaN, 'seed', 2 ** 60)),
        (data, fraction, seed) => {
          const r = outcome(() => trainTestSplit(data as never, fraction as number, seed as number));
          if (!r.ok) return;
          const d = data as { rows: number; cols: number; labels: Uint8Array | Int32Array; classes: number };
          const { train, test, trainIndex, testIndex } = r.value;
          expect(train.rows + test.rows).toBe(d.rows);
          expect(d.classes).toBeLessThanOrEqual(Math.min(65536, d.rows));
          const seen = new Uint8Array(d.rows);
          for (const i of [...trainIndex, ...testIndex]) seen[i]++;
          expect(seen.every((c) => c === 1)).toBe(true);
          testIndex.forEach((i, k) => expect(test.labels[k]).toBe(d.labels[i]));
          expect(train.x.length).toBe(train.rows * d.cols);
        },
      ),
      params(1000, 100_000),
    );
  }, TIMEOUT);

  it('synthetic sets: any size and options give finite, labelled 2-D data or a RectifyError', () => {
    const n = fc.oneof(fc.integer({ min: -3, max: 400 }), fc.constantFrom<unknown>(2 ** 24 + 1, 1e12, 2 ** 53, NaN, 2.5, '100', null));
    const num = (lo: number, hi: number) => fc.oneof(fc.double({ min: lo, max: hi, noNaN: true }), fc.constantFrom<unknown>(NaN, Infinity, -1, 1e300, '0.1', null));
    const options = fc.oneof(
      fc.constantFrom<unknown>(undefined, null, 5, 'opts', []),
      fc.record({ noise: num(0, 2), seed: fc.oneof(fc.integer(), fc.constantFrom<unknown>(1.5, NaN, 's')), classes: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom<unknown>(2.5, NaN)), turns: num(0, 5) }, { requiredKeys: [] }),
    );
    fc.assert(
      fc.property(fc.constantFrom(spirals, moons, xor), n, options, (gen, size, opts) => {
        const r = outcome(() => gen(size as number, opts as never));
        if (!r.ok) return;
        const d = r.value;
        expect(d.rows).toBe(size);
        expect(d.x.length).toBe(2 * d.rows);
        for (const v of d.x) expect(Number.isFinite(v)).toBe(true);
        for (const l of d.labels) expect(l).toBeLessThan(d.classes);
      }),
      params(400, 40_000),
    );
  }, TIMEOUT);

  it('helpers (standardizer, base64, fnv1a): any arguments give a result or a RectifyError', () => {
    const arg = fc.oneof(
      fc.constantFrom<unknown>(undefined, null, 0, -1, 1.5, NaN, 2 ** 40, 'x', [], {}, { mean: 1, std: 2 }),
      fc.integer({ min: 0, max: 6 }),
      fc.float32Array({ maxLength: 12 }),
      fc.array(fc.double(), { maxLength: 4 }).map((a) => ({ mean: Float64Array.from(a), std: Float64Array.from(a) })),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(arg, arg, arg, arg, (a, b, c, d) => {
        outcome(() => fitStandardizer(a as never, b as never, c as never));
        outcome(() => applyStandardizer(a as never, b as never, c as never, d as never));
        outcome(() => decodeBase64(a as never));
        outcome(() => fnv1a(a as never));
      }),
      params(1000, 100_000),
    );
  });
});

// Every target mode ('class', 'float', 'name') with hostile options: values of the wrong type that cannot be turned
// into a string (Object.create(null), BigInt, symbols, objects whose toString throws), out-of-range numbers, and text
// with class names, floats beyond f32 and quotes. Invariants: only RectifyError escapes; what loads is well formed for
// its mode; streamed and one-shot parsing agree (targets and class names included).
const hostile = fc.constantFrom<unknown>(
  Object.create(null), 1n, Symbol('s'), { toString() { throw new Error('toString'); } }, { [Symbol.toPrimitive]: () => ({}) },
  [], [','], {}, null, NaN, -0, 1e300, '', 'class', ' float', true,
);
const targetOptions = fc.record(
  {
    target: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>('class', 'float', 'name') }, { weight: 1, arbitrary: hostile }),
    labelColumn: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -3, max: 3 }) }, { weight: 1, arbitrary: hostile }),
    header: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<unknown>('auto', true, false) }, { weight: 1, arbitrary: hostile }),
    delimiter: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<unknown>(',', ';') }, { weight: 1, arbitrary: hostile }),
    name: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<unknown>('data.csv', '') }, { weight: 1, arbitrary: hostile }),
    maxColumns: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<unknown>(2, 8, 65536) }, { weight: 1, arbitrary: hostile }),
    maxBytes: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<unknown>(1, 64, 2 ** 20) }, { weight: 1, arbitrary: hostile }),
  },
  { requiredKeys: [] },
);
const NAMED = ['setosa', 'versicolor', '"virginica"', ' a b ', '1', '2.5', '-1e39', '3.5e38', '', 'x,y', 'é'];
const targetCsv = fc.oneof(
  fc.array(
    fc.tuple(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 3 }), fc.constantFrom(...NAMED)),
    { minLength: 0, maxLength: 8 },
  ).map((rows) => rows.map(([xs, l]) => [...xs.map(String), l].join(',')).join('\n')),
  fc.string({ unit: fc.constantFrom(...TOKENS, ...NAMED), maxLength: 40 }),
);

function checkTargets(d: CsvDataset, target: unknown): void {
  expect(d.rows).toBeGreaterThanOrEqual(1);
  expect(d.x.length).toBe(d.rows * d.cols);
  for (const v of d.x) expect(Number.isFinite(v)).toBe(true);
  if (target === 'float') {
    expect(d.targets?.length).toBe(d.rows);
    for (const v of d.targets!) expect(Number.isFinite(v)).toBe(true);
    expect([d.labels.length, d.classes]).toEqual([0, 0]);
    return;
  }
  expect(d.targets).toBeUndefined();
  expect(d.labels.length).toBe(d.rows);
  for (const l of d.labels) expect(Number.isInteger(l) && l >= 0 && l < d.classes).toBe(true);
  if (target === 'name') {
    expect(d.classNames?.length).toBe(d.classes);
    expect(new Set(d.classNames).size).toBe(d.classes);
  }
}

describe('CSV target modes under hostile options', () => {
  it('every mode loads a well-formed set or fails with a RectifyError; streamed and one-shot agree', async () => {
    await fc.assert(
      fc.asyncProperty(targetCsv, targetOptions, fc.integer({ min: 1, max: 9 }), async (text, options, cut) => {
        const one = outcome(() => parseCsv(text, options as never));
        const chunks = Array.from({ length: Math.ceil(text.length / cut) }, (_, i) => text.slice(i * cut, (i + 1) * cut));
        const streamed = await outcomeAsync(() => parseCsvStream(chunks, options as never));
        if (one.ok) {
          checkTargets(one.value, options.target ?? 'class');
          // The stream reader also applies maxBytes; where that alone refuses, the one-shot result stands.
          if (!streamed.ok) expect(streamed.error.message).toMatch(/maxBytes/);
          else {
            expect(Array.from(streamed.value.targets ?? [])).toEqual(Array.from(one.value.targets ?? []));
            expect(streamed.value.classNames).toEqual(one.value.classNames);
            sameOutcome(one, streamed as typeof one);
          }
        }
      }),
      params(600, 50_000),
    );
  }, TIMEOUT);
});
