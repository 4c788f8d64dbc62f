// Every error class lives in src/errors.ts, is exported from the package entry (and the data ones from rectify/data),
// and the data errors are kinds of the general classes, so one `instanceof` catches a family.
import { describe, expect, it } from 'vitest';
import * as rectify from '../dist/index.js';
import * as data from '../dist/data/index.js';
import * as errors from '../dist/errors.js';

describe('errors', () => {
  it('every class of src/errors.ts is exported from the package entry, and each extends RectifyError', () => {
    const classes = Object.entries(errors).filter(([, v]) => typeof v === 'function');
    expect(classes.length).toBeGreaterThanOrEqual(20);
    for (const [name, cls] of classes) {
      expect((rectify as Record<string, unknown>)[name], name).toBe(cls);
      expect(new (cls as new (m: string, ...a: unknown[]) => Error)('m', 'p', 'c'), name).toBeInstanceOf(rectify.RectifyError);
    }
  });

  it('the data errors are kinds of DataError / InvalidArgumentError and come from rectify/data too', () => {
    expect(new rectify.DataFormatError('x')).toBeInstanceOf(rectify.DataError);
    expect(new rectify.DataLimitError('x')).toBeInstanceOf(rectify.DataFormatError);
    expect(new rectify.DataLimitError('x')).toBeInstanceOf(rectify.DataError);
    expect(new rectify.DataFileError('x', 'a.csv', 'ENOENT')).toBeInstanceOf(rectify.DataError);
    expect(new rectify.DataArgumentError('x')).toBeInstanceOf(rectify.InvalidArgumentError);
    for (const name of ['DataError', 'DataFormatError', 'DataArgumentError', 'DataFileError', 'DataLimitError', 'InvalidArgumentError', 'RectifyError'] as const) {
      expect(data[name], name).toBe(rectify[name]);
    }
    // A real failure of a loader: one catch on DataError handles it.
    expect(() => data.parseCsv('1,2,0\n1,2\n')).toThrow(rectify.DataError);
    expect(() => data.spirals(-1)).toThrow(rectify.InvalidArgumentError);
    expect(new rectify.DataFormatError('x').name).toBe('DataFormatError');
  });
});
