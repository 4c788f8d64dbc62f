// The lab report's content: captions that name hidden lines, readable names of the measured numbers.
import { describe, expect, it } from 'vitest';
import { activationCurves, coincidentSeries } from '../../dist/lab/report-builder.js';
import { describeNumber } from '../../dist/lab/claims.js';
import { createEngine } from '../../dist/index.js';

describe('coincidentSeries', () => {
  it('groups lines that lie on top of each other and leaves apart the ones a reader can tell apart', () => {
    const x = [0, 1, 2, 3];
    const groups = coincidentSeries([
      { name: 'a', x, y: [0, 1, 2, 3] },
      { name: 'b', x, y: [0, 1, 2, 3.01] },
      { name: 'c', x, y: [0, 1, 2.5, 3] },
      { name: 'd', x, y: [0, 1, 2, 3] },
    ]);
    expect(groups).toEqual([['a', 'b', 'd']]);
    expect(coincidentSeries([{ name: 'a', x, y: [1, 2, 3, 4] }, { name: 'b', x: [0, 1, 2, 4], y: [1, 2, 3, 4] }])).toEqual([]);
    // On a log axis the comparison is in decades: 1e-3 vs 2e-3 is far apart even though both are near 0.
    expect(coincidentSeries([{ name: 'a', x, y: [1e-3, 1, 10, 100] }, { name: 'b', x, y: [2e-3, 1, 10, 100] }], true)).toEqual([]);
  });

  it('the activation chart says that relu lies under relu6 (and leakyRelu) on [-4, 4]', async () => {
    const engine = await createEngine();
    const svg = activationCurves(engine, [{ name: 'linear' }, { name: 'relu' }, { name: 'relu6' }, { name: 'leakyRelu' }], [-4, 4]);
    expect(svg).toContain('relu, relu6 and leakyRelu coincide');
    expect(activationCurves(engine, [{ name: 'relu' }, { name: 'tanh' }], [-4, 4])).not.toContain('coincide');
  });
});

describe('describeNumber', () => {
  it('gives every measured number a readable name instead of its key', () => {
    expect(describeNumber('maxErrorN1.5')).toBe('max |arelu - relu|, n = 1.5');
    expect(describeNumber('depth3')).toBe('linear pieces at depth 3');
    expect(describeNumber('dead relu (Adam lr 0.05)')).toBe('dead units, relu (Adam lr 0.05)');
    expect(describeNumber('xorAccuracyRelu')).toBe('XOR accuracy, relu network');
    expect(describeNumber('testAccuracySubgradient0')).toBe("test accuracy, relu'(0) = 0");
  });
});
