import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, parseCsvStream, loadCsvFile, fitStandardizer, applyStandardizer } from '../../src/data/csv.js';
import { DataArgumentError, DataFileError, DataFormatError, DataLimitError } from '../../src/errors.js';
import { CsvParser } from '../../src/data/csv.js';
import { trainTestSplit } from '../../src/data/digits.js';
import { RectifyError } from '../../src/errors.js';

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
    for (const p of [join(dir, 'missing.csv'), join(dir, 'missing.csv.gz'), dir]) {
      const e = await loadCsvFile(p).then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(DataFileError);
      expect(e).toBeInstanceOf(RectifyError);
      expect((e as Error).message).toMatch(/cannot read the file \((no such file|is a directory)\)/);
    }
  });

  it('values outside the float32 range are an error naming line and column (issue 8, defect 15)', () => {
    fails(() => parseCsv('1,2,0\n3,1e39,1\n'), /value "1e39" at line 2, column 2 is outside the float32 range/);
    fails(() => parseCsv('x,y,c\n-3.5e38,0,0\n'), /value "-3.5e38" at line 2, column 1 is outside the float32 range/);
    fails(() => parseCsv('1,' + '9'.repeat(400) + ',0\n'), /column 2 is outside the float32 range/);
    // The largest float32 and values that round to it are fine.
    const d = parseCsv('3.4028235e38,-3.40282356e38,0\n1e-50,0,0\n');
    expect(Array.from(d.x)).toEqual([3.4028234663852886e38, -3.4028234663852886e38, 0, 0]);
  });

  it('class ids are bounded: at most 65,536 classes and no more classes than rows (issue 8, defect 7)', () => {
    const e = (() => { try { parseCsv('1,2,0\n3,4,2147483647\n'); } catch (err) { return err; } return null; })();
    expect(e).toBeInstanceOf(DataLimitError);
    expect((e as Error).message).toMatch(/class label "2147483647" at line 2, column 3 is too large: class ids must be in 0\.\.65535/);
    fails(() => parseCsv('1,2,65536\n'), /too large/, DataLimitError);
    fails(() => parseCsv('1,2,0\n3,4,5\n'), /class label 5 on line 2 means 6 classes, more than the 2 rows/);
    expect(parseCsv('1,2,0\n3,4,1\n').classes).toBe(2);
    // trainTestSplit checks classes before allocating per-class lists (2^31 of them aborted V8).
    const data = { x: new Float32Array(4), rows: 2, cols: 2, labels: new Int32Array([0, 1]) };
    fails(() => trainTestSplit({ ...data, classes: 2 ** 31 }, 0.5, 1), /at most 65536 classes/, DataLimitError);
    fails(() => trainTestSplit({ ...data, classes: 1000 }, 0.5, 1), /data.classes is 1000, more than the 2 rows/, DataLimitError);
    fails(() => trainTestSplit({ ...data, classes: 2, rows: 3 }, 0.5, 1), /expected rows \* cols/, DataArgumentError);
    fails(() => trainTestSplit(null as never, 0.5, 1), /must be a data set/, DataArgumentError);
    fails(() => trainTestSplit({ ...data, classes: 2 }, 0.5, 1.5), /seed must be an integer/, DataArgumentError);
  });

  it('parses in time linear in its input: long lines, any chunking (issue 8, defect 9)', async () => {
    const MiB = 2 ** 20;
    // A 16 MiB cell that is not a number: the old regular expression backtracked quadratically (minutes).
    fails(() => parseCsv('1,' + '1'.repeat(16 * MiB) + 'x,0\n'), /non-numeric cell "1111.*\.\.\." at line 1, column 2/);
    fails(() => parseCsv('1,2,' + '7'.repeat(16 * MiB)), /class label "7777.*" at line 1, column 3 is not an integer/);
    // 16 MiB with no newline, fed in 4 KiB chunks: the old parser rescanned everything pending on every chunk.
    const line = '1.5,'.repeat(4 * MiB - 1) + '0';
    const p = new CsvParser({ maxColumns: 2 ** 24 });
    for (let i = 0; i < line.length; i += 4096) p.push(line.slice(i, i + 4096));
    expect(p.end().cols).toBe(4 * MiB - 1);
    expect(p.charactersExamined).toBeLessThanOrEqual(3 * line.length);
    // The same text as one chunk examines the same number of characters (within a line's join).
    const q = new CsvParser({ maxColumns: 2 ** 24 });
    q.push(line);
    q.end();
    expect(q.charactersExamined).toBeLessThanOrEqual(p.charactersExamined);
    // A line with millions of cells is refused before it is split.
    fails(() => parseCsv(line), /line 1 has more than maxColumns = 65536 cells/, DataLimitError);
  }, 60_000);

  it('streams stop at maxBytes; options are checked', async () => {
    const chunks = Array.from({ length: 100 }, () => '1,2,0\n');
    await expect(parseCsvStream(chunks, { maxBytes: 60 })).rejects.toThrow(/input is larger than maxBytes = 60 bytes/);
    expect((await parseCsvStream(chunks, { maxBytes: 600 })).rows).toBe(100);
    await expect(parseCsvStream(chunks, { maxBytes: -1 })).rejects.toBeInstanceOf(DataArgumentError);
    await expect(parseCsvStream(null as never)).rejects.toBeInstanceOf(DataArgumentError);
    await expect(parseCsvStream([1 as never])).rejects.toBeInstanceOf(DataArgumentError);
    fails(() => parseCsv('1,2,0', null as never), /options must be an object/, DataArgumentError);
    fails(() => parseCsv('1,2,0', { header: 'yes' as never }), /header must be/, DataArgumentError);
    fails(() => parseCsv(42 as never), /push takes a string/, DataArgumentError);
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

describe('CSV targets: float (regression) and class names', () => {
  it("target: 'float' reads the label column as f32 targets (negative, fractional, exponent)", () => {
    const d = parseCsv('a,b,price\n1,2,3.25\n4,5,-1e-3\n6,7,1e3\n', { target: 'float' });
    expect(Array.from(d.targets!)).toEqual([3.25, Math.fround(-1e-3), 1000]);
    expect(Array.from(d.x)).toEqual([1, 2, 4, 5, 6, 7]);
    expect(d.labels.length).toBe(0);
    expect(d.classes).toBe(0);
    expect(d.header).toEqual(['a', 'b']);
    const first = parseCsv('2.5,1,2\n', { target: 'float', labelColumn: 0 });
    expect(Array.from(first.targets!)).toEqual([2.5]);
    expect(Array.from(first.x)).toEqual([1, 2]);
    fails(() => parseCsv('1,x\n', { target: 'float' }), /class label "x" at line 1, column 2 is not a number/);
    fails(() => parseCsv('1,1e39\n', { target: 'float' }), /target "1e39" at line 1, column 2 is outside the float32 range/);
    // 70 rows: the buffers grow past their first size
    const many = parseCsv(Array.from({ length: 70 }, (_, i) => `${i},${i / 4}`).join('\n'), { target: 'float' });
    expect(many.targets![69]).toBe(69 / 4);
  });

  it("target: 'name' numbers class names in order of first appearance and keeps the names", () => {
    const d = parseCsv('sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n4.9,1.4,setosa\n6.3,6.0,"virginica"\n', { target: 'name' });
    expect(Array.from(d.labels)).toEqual([0, 1, 0, 2]);
    expect(d.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(d.classes).toBe(3);
    expect(d.header).toEqual(['sepal', 'petal']);
    // no header; numbers are names too; integer-looking first cells do not make a scikit-learn header
    const n = parseCsv('5,3,b\n1,2,a\n0,0,7\n', { target: 'name' });
    expect(n.classNames).toEqual(['b', 'a', '7']);
    expect(n.rows).toBe(3);
    // a failed line registers no name
    const p = new CsvParser({ target: 'name' });
    p.push('1,cat\n');
    expect(() => p.push('x,dog\n')).toThrow(DataFormatError);
    fails(() => parseCsv('1,\n', { target: 'name' }), /empty class name at line 1/);
    fails(() => parseCsv('1,2\n', { target: 'nope' as never }), /target must be 'class', 'float' or 'name'/, DataArgumentError);
    // the default still wants class ids, and says how to read names
    fails(() => parseCsv('1.5,2,0\n1.5,2,setosa\n'), /class label "setosa" at line 2, column 3 .* pass target: 'name'/);
  });

  it('names and float targets train a network (labels as class ids, targets as Float32Array)', async () => {
    const { createEngine } = await import('../../dist/index.js');
    const engine = await createEngine();
    const d = parseCsv('0,0,no\n1,1,yes\n0,1,no\n1,0,no\n', { target: 'name' });
    const net = engine.network({ inputs: 2, seed: 1 }).dense(2, 'softmax').build({ loss: 'crossEntropy' });
    await net.fit(d.x, d.labels, { epochs: 1 });
    const r = parseCsv('0,0,0.5\n1,1,1.5\n', { target: 'float' });
    const reg = engine.network({ inputs: 2, seed: 1 }).dense(1, 'linear').build({ loss: 'mse' });
    await reg.fit(r.x, r.targets!, { epochs: 1 });
    expect(reg.evaluate(r.x, r.targets!).loss).toBeGreaterThan(0);
  });
});
