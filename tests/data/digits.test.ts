import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadDigits, trainTestSplit, decodeBase64 } from '../../src/data/digits.js';
import { DataArgumentError, DataFormatError } from '../../src/errors.js';
import { spirals } from '../../src/data/synthetic.js';

const SHARED = '/work/shared/data/digits.csv.gz';
const hasShared = (() => { try { readFileSync(SHARED); return true; } catch { return false; } })();

describe('digits', () => {
  const d = loadDigits();

  it('has 1797 rows of 64 pixels in [0,1] and classes 0..9', () => {
    expect([d.rows, d.cols, d.classes, d.x.length, d.labels.length]).toEqual([1797, 64, 10, 1797 * 64, 1797]);
    expect(d.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    const c = new Array<number>(10).fill(0);
    for (const l of d.labels) c[l]++;
    expect(c.reduce((a, b) => a + b, 0)).toBe(1797);
    expect(c.every((k) => k >= 170 && k <= 185)).toBe(true);
  });

  it.runIf(hasShared)('matches the shared CSV exactly', () => {
    const lines = gunzipSync(readFileSync(SHARED)).toString('utf8').trim().split('\n');
    lines.forEach((line, i) => {
      const v = line.split(',').map(Number);
      for (let j = 0; j < 64; j++) if (d.x[i * 64 + j] !== v[j] / 16) throw new Error(`pixel ${i},${j}`);
      if (d.labels[i] !== v[64]) throw new Error(`label ${i}`);
    });
  });

  it('decodes base64 without Buffer', () => {
    for (const s of ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar']) {
      const b64 = Buffer.from(s).toString('base64');
      expect(new TextDecoder().decode(decodeBase64(b64))).toBe(s);
    }
    expect(() => decodeBase64('ab$d')).toThrow(DataFormatError);
  });

  it('splits stratified, seeded and disjoint', () => {
    const s = trainTestSplit(d, 0.2, 1);
    expect(s.train.rows + s.test.rows).toBe(1797);
    expect(s.test.rows).toBeGreaterThan(350);
    expect(s.test.rows).toBeLessThan(370);
    const seen = new Set<number>([...s.trainIndex, ...s.testIndex]);
    expect(seen.size).toBe(1797);
    const perClass = new Array<number>(10).fill(0);
    for (const l of s.test.labels) perClass[l]++;
    for (let c = 0; c < 10; c++) {
      const total = d.labels.filter((l) => l === c).length;
      expect(perClass[c]).toBe(Math.round(total * 0.2));
    }
    expect(s.test.labels).toBeInstanceOf(Uint8Array);
    expect(Array.from(s.test.x.subarray(0, 64))).toEqual(Array.from(d.x.subarray(s.testIndex[0] * 64, s.testIndex[0] * 64 + 64)));
    expect(Array.from(trainTestSplit(d, 0.2, 1).testIndex)).toEqual(Array.from(s.testIndex));
    expect(Array.from(trainTestSplit(d, 0.2, 2).testIndex)).not.toEqual(Array.from(s.testIndex));
    const sp = trainTestSplit(spirals(100), 0.3, 5);
    expect(sp.test.rows).toBe(30);
    expect(() => trainTestSplit(d, 1, 1)).toThrow(DataArgumentError);
  });
});
