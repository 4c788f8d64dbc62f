import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseIdxImages, parseIdxLabels, parseIdxPair, loadIdxFile, loadIdxPair, IdxReader,
} from '../../src/data/idx.js';
import { DataArgumentError, DataFileError, DataFormatError, DataLimitError } from '../../src/errors.js';
import { gunzip, gunzipChunks, DEFAULT_MAX_BYTES } from '../../src/data/gzip.js';
import { RectifyError } from '../../src/errors.js';
import { gzipBomb, peakRss } from './bomb.js';

function idx(magic: number, dims: number[], data: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, magic, false);
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

const pixels = Array.from({ length: 3 * 2 * 2 }, (_, i) => (i * 23) % 256);
const images = idx(0x803, [3, 2, 2], pixels);
const labels = idx(0x801, [3], [7, 0, 2]);

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rectify-idx-'));
  writeFileSync(join(dir, 'img'), images);
  writeFileSync(join(dir, 'img.gz'), gzipSync(images));
  writeFileSync(join(dir, 'lab.gz'), gzipSync(labels));
  writeFileSync(join(dir, 'lab2.gz'), gzipSync(idx(0x801, [2], [1, 2])));
  writeFileSync(join(dir, 'trunc.gz'), gzipSync(images).subarray(0, 20));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DataFormatError);
  expect(e).toBeInstanceOf(RectifyError);
  expect((e as Error).name).toBe('DataFormatError');
  expect((e as Error).message).toMatch(re);
}

describe('IDX', () => {
  it('round-trips raw and gzip bytes, scaling to [0,1]', async () => {
    for (const bytes of [images, new Uint8Array(gzipSync(images))]) {
      const r = await parseIdxImages(bytes);
      expect([r.rows, r.cols, r.height, r.width]).toEqual([3, 4, 2, 2]);
      expect(Array.from(r.x)).toEqual(pixels.map((p) => Math.fround(p / 255)));
    }
    expect(Array.from(await parseIdxLabels(new Uint8Array(gzipSync(labels))))).toEqual([7, 0, 2]);
    const pair = await parseIdxPair(images, labels);
    expect(Array.from(pair.labels!)).toEqual([7, 0, 2]);
    expect(pair.classes).toBe(8);
  });

  it('falls back to node:zlib where DecompressionStream is missing', async () => {
    const saved = globalThis.DecompressionStream;
    try {
      (globalThis as { DecompressionStream?: unknown }).DecompressionStream = undefined;
      const r = await parseIdxImages(new Uint8Array(gzipSync(images)));
      expect(r.rows).toBe(3);
      await rejects(parseIdxImages(new Uint8Array(gzipSync(images)).subarray(0, 20)), /gzip data is corrupt or truncated/);
    } finally {
      globalThis.DecompressionStream = saved;
    }
  });

  it('streams files from disk, gzip or raw, in any chunking', async () => {
    const a = await loadIdxFile(join(dir, 'img'));
    const b = await loadIdxFile(join(dir, 'img.gz'));
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
    const pair = await loadIdxPair(join(dir, 'img.gz'), join(dir, 'lab.gz'));
    expect(pair.rows).toBe(3);
    expect(Array.from(pair.labels!)).toEqual([7, 0, 2]);
    const r = new IdxReader('images');
    for (let i = 0; i < images.length; i++) r.push(images.subarray(i, i + 1));
    expect(Array.from((r.end() as { x: Float32Array }).x)).toEqual(Array.from(a.x));
  });

  it('reports a wrong magic number with found and expected values', async () => {
    await rejects(parseIdxImages(labels), /wrong magic number 0x00000801, expected 0x00000803.*labels file/);
    await rejects(parseIdxLabels(images), /wrong magic number 0x00000803, expected 0x00000801/);
    await rejects(parseIdxImages(new TextEncoder().encode('hello world, not idx')), /wrong magic number 0x68656c6c/);
  });

  it('reports unsupported element types', async () => {
    await rejects(parseIdxImages(idx(0x0d03, [1, 1, 1], [0, 0, 0, 0])), /unsupported IDX element type float32/);
  });

  it('reports truncated files with expected and actual sizes', async () => {
    await rejects(parseIdxImages(images.subarray(0, images.length - 5)), /truncated file: expected 28 bytes .*got 23/);
    await rejects(parseIdxImages(images.subarray(0, 6)), /truncated file: expected at least 16 header bytes, got 6/);
    await rejects(parseIdxImages(new Uint8Array(gzipSync(images)).subarray(0, 20)), /gzip data is corrupt or truncated/);
    await rejects(loadIdxFile(join(dir, 'trunc.gz')), /gzip data is corrupt or truncated/);
  });

  it('rejects data past the declared end', async () => {
    const long = new Uint8Array(images.length + 1);
    long.set(images);
    await rejects(parseIdxImages(long), /longer than its header says/);
  });

  it('reports a missing or unreadable file as a DataFileError with the fs code', async () => {
    // Each call starts only when the previous one has been handled (a rejection waiting unobserved would be reported
    // as unhandled).
    const calls = [() => loadIdxFile(join(dir, 'missing.gz')), () => loadIdxPair(join(dir, 'missing'), join(dir, 'lab.gz')),
      () => loadIdxFile(dir)];
    for (const call of calls) {
      const e = await call().then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(DataFileError);
      expect(e).toBeInstanceOf(RectifyError);
      expect((e as Error).message).toMatch(/cannot read the file/);
    }
    await expect(loadIdxFile(join(dir, 'missing.gz'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects a zero dimension, and a header declaring more than maxBytes before allocating for it', async () => {
    await rejects(parseIdxImages(idx(0x803, [0, 28, 28], [])), /image count 0/);
    await rejects(parseIdxLabels(idx(0x801, [0], [])), /label count 0/);
    // 2000 x 512 x 512 = 524 M bytes: the old reader allocated a 2 GiB Float32Array for it.
    const e = await parseIdxImages(idx(0x803, [2000, 512, 512], [1, 2, 3])).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(DataLimitError);
    expect((e as Error).message).toMatch(/declares 2000 x 512 x 512 = 524288000 bytes of data, more than maxBytes = 268435456/);
    // Within the limit but short: a truncation error, and the output is sized by the bytes present.
    await rejects(parseIdxImages(idx(0x803, [1000, 256, 256], [1, 2, 3])), /truncated file: expected 65536016 bytes/);
    await expect(parseIdxImages(images, 'small', { maxBytes: 11 })).rejects.toThrow(new DataLimitError('small: IDX header declares 3 x 2 x 2 = 12 bytes of data, more than maxBytes = 11 (pass a larger maxBytes if the file is genuine)'));
    expect((await parseIdxImages(images, 'exact', { maxBytes: 12 })).rows).toBe(3);
    for (const bad of [0, -1, 1.5, NaN, '1e6', 2 ** 33]) {
      await expect(parseIdxImages(images, 'x', { maxBytes: bad as number })).rejects.toBeInstanceOf(DataArgumentError);
    }
    await expect(parseIdxImages('not bytes' as unknown as Uint8Array)).rejects.toBeInstanceOf(DataArgumentError);
    await expect(parseIdxImages(images, 'x', null as unknown as {})).rejects.toBeInstanceOf(DataArgumentError);
  });
});

describe('gzip limits (issue 8, defect 8)', () => {
  const GiB = 2 ** 30;
  let zeros: Uint8Array;
  let hugeHeader: Uint8Array;
  let smallHeader: Uint8Array;
  beforeAll(async () => {
    zeros = await gzipBomb(new Uint8Array(0), GiB);
    hugeHeader = await gzipBomb(idx(0x803, [60000, 4096, 4096], []), GiB);
    smallHeader = await gzipBomb(idx(0x803, [10, 28, 28], []), GiB);
  }, 120_000);

  it('a 1 MiB gzip bomb stops at maxBytes with a DataLimitError, in bounded memory', async () => {
    expect(zeros.length).toBeLessThan(1.1 * 2 ** 20);
    expect(DEFAULT_MAX_BYTES).toBe(256 * 2 ** 20);
    for (const decompressionStream of [true, false]) {
      const saved = globalThis.DecompressionStream;
      if (!decompressionStream) (globalThis as { DecompressionStream?: unknown }).DecompressionStream = undefined;
      try {
        const r = await peakRss(() => gunzip(zeros, 'bomb.gz', { maxBytes: 16 * 2 ** 20 }));
        expect(r.error).toBeInstanceOf(DataLimitError);
        expect((r.error as Error).message).toMatch(/bomb\.gz: gzip data inflates to more than maxBytes = 16777216 bytes/);
        expect(r.peak).toBeLessThan(200 * 2 ** 20); // inflating all of it would take > 1 GiB
        // Incremental: the bytes handed out before the error never pass the limit.
        let seen = 0;
        const e = await (async () => { for await (const c of gunzipChunks(zeros, 'bomb', { maxBytes: 2 ** 20 })) seen += c.length; })()
          .then(() => null, (err: unknown) => err);
        expect(e).toBeInstanceOf(DataLimitError);
        expect(seen).toBeLessThanOrEqual(2 ** 20);
      } finally {
        globalThis.DecompressionStream = saved;
      }
    }
  }, 60_000);

  it('parseIdxImages reads the header from the first inflated bytes and stops there', async () => {
    let r = await peakRss(() => parseIdxImages(hugeHeader, 'huge.gz'));
    expect(r.error).toBeInstanceOf(DataLimitError);
    expect((r.error as Error).message).toMatch(/huge\.gz: IDX header declares 60000 x 4096 x 4096/);
    expect(r.peak).toBeLessThan(200 * 2 ** 20);
    r = await peakRss(() => parseIdxImages(zeros, 'zeros.gz'));
    expect((r.error as Error).message).toMatch(/zeros\.gz: wrong magic number 0x00000000/);
    expect(r.peak).toBeLessThan(200 * 2 ** 20);
    r = await peakRss(() => parseIdxImages(smallHeader, 'long.gz'));
    expect(r.error).toBeInstanceOf(DataFormatError);
    expect((r.error as Error).message).toMatch(/longer than its header says/);
    expect(r.peak).toBeLessThan(200 * 2 ** 20);
  }, 60_000);

  it('reports label count mismatches', async () => {
    await rejects(parseIdxPair(images, idx(0x801, [2], [1, 2])), /label count mismatch: 3 images but 2 labels/);
    await rejects(loadIdxPair(join(dir, 'img.gz'), join(dir, 'lab2.gz')), /label count mismatch/);
  });

  const FASHION = '/usr/share/datasets/fashion-mnist';
  it.runIf(existsSync(`${FASHION}/t10k-images-idx3-ubyte.gz`))('reads the real Fashion-MNIST test set (Debian dataset-fashion-mnist)', async () => {
    const d = await loadIdxPair(`${FASHION}/t10k-images-idx3-ubyte.gz`, `${FASHION}/t10k-labels-idx1-ubyte.gz`);
    expect([d.rows, d.cols, d.height, d.width, d.classes]).toEqual([10000, 784, 28, 28, 10]);
    const counts = new Array<number>(10).fill(0);
    for (const l of d.labels!) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(1000));
    let max = 0;
    for (const v of d.x) if (v > max) max = v;
    expect(max).toBe(1);
  });
});
