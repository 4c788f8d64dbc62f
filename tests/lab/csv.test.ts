import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, parseCsvStream, loadCsvFile, fitStandardizer, applyStandardizer } from '../../src/data/csv.js';
import { DataArgumentError, DataFormatError } from '../../src/data/errors.js';

const IRIS = '/work/shared/data/iris.csv';
const WINE = '/work/shared/data/wine_data.csv';
const hasShared = (() => { try { readFileSync(IRIS); return true; } catch { return false; } })();

function fails(f: () => unknown, re: RegExp, cls: Function = DataFormatError): void {
  let err: unknown = null;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(cls);
  expect((err as Error).message).toMatch(re);
}

describe('CSV', () => {
  it('parses plain numeric CSV with the label last', () => {
    const d = parseCsv('1,2,0\n3,4.5,1\r\n\n-1e2,.5,2\n');
    expect([d.rows, d.cols, d.classes]).toEqual([3, 2, 3]);
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4.5, -100, 0.5]);
    expect(Array.from(d.labels)).toEqual([0, 1, 2]);
    expect(d.header).toBeUndefined();
    expect(parseCsv('\ufeff150,4,a,b,c\n' + '1,2,3,4,0\n'.repeat(150)).classNames).toEqual(['a', 'b', 'c']);
  });

  it('supports another label column and a column-name header', () => {
    const d = parseCsv('class;a;b\n1;0.5;"2"\n0;1;3', { labelColumn: 0, delimiter: ';' });
    expect(d.header).toEqual(['a', 'b']);
    expect(Array.from(d.x)).toEqual([0.5, 2, 1, 3]);
    expect(Array.from(d.labels)).toEqual([1, 0]);
  });

  it('reads the scikit-learn "n,features,names" header and checks its counts', () => {
    const d = parseCsv('2,2,setosa,versicolor,virginica\n1,2,0\n3,4,1\n');
    expect(d.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(d.classes).toBe(3);
    fails(() => parseCsv('3,2,a,b\n1,2,0\n3,4,1\n'), /header on line 1 declares 3 rows x 2 features, but the file has 2 rows x 2 features/);
  });

  it.runIf(hasShared)('loads the shared iris and wine files', async () => {
    const iris = await loadCsvFile(IRIS);
    expect([iris.rows, iris.cols, iris.classes]).toEqual([150, 4, 3]);
    expect(iris.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(iris.x[0]).toBeCloseTo(5.1, 6);
    const wine = parseCsv(readFileSync(WINE, 'utf8'));
    expect([wine.rows, wine.cols, wine.classes]).toEqual([178, 13, 3]);
    expect(Array.from(wine.labels).filter((l) => l === 0).length).toBe(59);
  });

  it('reads gzip files and reports corrupt gzip or missing files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rectify-csv-'));
    const gz = gzipSync('x,y,label\n1,2,0\n3,4,1\n');
    writeFileSync(join(dir, 'a.csv.gz'), gz);
    writeFileSync(join(dir, 'b.csv.gz'), gz.subarray(0, gz.length - 12));
    const d = await loadCsvFile(join(dir, 'a.csv.gz'));
    expect([d.rows, d.cols]).toEqual([2, 2]);
    await expect(loadCsvFile(join(dir, 'b.csv.gz'))).rejects.toThrow(/gzip data is corrupt or truncated/);
    await expect(loadCsvFile(join(dir, 'missing.csv.gz'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('streams chunks split anywhere, including inside a UTF-8 sequence and a line', async () => {
    const text = 'a,b,é\n1,2,0\n3,4,1\n';
    const bytes = new TextEncoder().encode(text);
    const chunks = Array.from(bytes, (b) => new Uint8Array([b]));
    const d = await parseCsvStream(chunks);
    expect(d.header).toEqual(['a', 'b']);
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4]);
  });

  it('reports non-numeric cells with line and column', () => {
    fails(() => parseCsv('1,2,0\n3,x,1\n'), /non-numeric cell "x" at line 2, column 2/);
    fails(() => parseCsv('1,,0\n'), /non-numeric cell "" at line 1, column 2/);
    fails(() => parseCsv('1,x,0\n1,2,0\n'), /non-numeric cell "x" at line 1, column 2/);
    fails(() => parseCsv('1,0x10,0\n'), /non-numeric cell "0x10"/);
    fails(() => parseCsv('a,b,c\n1,2,0\n', { header: false }), /non-numeric cell "a" at line 1, column 1/);
  });

  it('reports ragged rows, bad labels, empty input and bad options', () => {
    fails(() => parseCsv('h1,h2,h3\n1,2,0\n1,2\n'), /ragged row: line 3 has 2 cells, expected 3 \(as on line 2\)/);
    fails(() => parseCsv('1,2,0.5\n'), /class label "0.5" at line 1, column 3 is not an integer >= 0/);
    fails(() => parseCsv('1,2,-1\n'), /not an integer >= 0/);
    fails(() => parseCsv('\n\n'), /no data rows/);
    fails(() => parseCsv('1,2,0\n', { labelColumn: 5 }), /labelColumn 5 is outside the 3 columns/, DataArgumentError);
    fails(() => parseCsv('1,2,0\n', { delimiter: ',,' }), /delimiter/, DataArgumentError);
  });

  it('standardizes with training statistics', () => {
    const train = new Float32Array([1, 10, 3, 10, 5, 10]);
    const s = fitStandardizer(train, 3, 2);
    expect(Array.from(s.mean)).toEqual([3, 10]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(s.std[1]).toBe(1); // constant feature
    const z = applyStandardizer(train, 3, 2, s);
    expect(z[2]).toBe(0);
    expect(z[1]).toBe(0);
    const test = applyStandardizer(new Float32Array([3 + Math.sqrt(8 / 3), 11]), 1, 2, s);
    expect(test[0]).toBeCloseTo(1, 6);
    expect(test[1]).toBe(1);
    fails(() => applyStandardizer(train, 2, 3, s), /expected 2 x 3/, DataArgumentError);
    fails(() => fitStandardizer(train, 4, 2), /expected rows \* cols/, DataArgumentError);
  });
});
