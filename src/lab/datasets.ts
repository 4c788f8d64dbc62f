/**
 * Data sets for the lab: the embedded digits, 2-D synthetic sets, CSV files and IDX (MNIST-format) file pairs,
 * split into train and test with a seeded stratified split.
 * @module
 */
import type { LabData } from './experiment.js';
import { loadDigits, trainTestSplit, spirals, moons, xor, loadCsvFile, loadIdxPair, fitStandardizer, applyStandardizer, type Dataset } from '../data/index.js';
import { InvalidArgumentError } from '../errors.js';

/** Splits 80/20 (stratified, seeded) into the lab's form. */
function toLab(name: string, d: Dataset, seed: number, standardize: boolean): LabData {
  const s = trainTestSplit(d, 0.2, seed);
  let trainX = s.train.x, testX = s.test.x;
  if (standardize) {
    const st = fitStandardizer(trainX, s.train.rows, d.cols);
    trainX = applyStandardizer(trainX, s.train.rows, d.cols, st);
    testX = applyStandardizer(testX, s.test.rows, d.cols, st);
  }
  return {
    name, inputs: d.cols, classes: d.classes, trainX, testX,
    trainY: Int32Array.from(s.train.labels), testY: Int32Array.from(s.test.labels),
  };
}

/**
 * Loads a lab data set by name: `digits`, `spirals`, `moons`, `xor`, a path to a .csv file (last column = class),
 * or `images.idx[.gz],labels.idx[.gz]`.
 */
export async function loadLabData(spec: string, seed: number): Promise<LabData> {
  if (spec === 'digits') return toLab('digits', loadDigits(), seed, false);
  if (spec === 'spirals') return toLab('spirals', spirals(1000, { seed }), seed, false);
  if (spec === 'moons') return toLab('moons', moons(1000, { seed }), seed, false);
  if (spec === 'xor') return toLab('xor', xor(1000, { seed }), seed, false);
  if (spec.includes(',')) {
    const [images, labels] = spec.split(',');
    const d = await loadIdxPair(images!, labels!);
    if (!d.labels) throw new InvalidArgumentError('the IDX labels file has no labels');
    return toLab(spec, { x: d.x, rows: d.rows, cols: d.cols, labels: d.labels, classes: d.classes ?? 10 }, seed, false);
  }
  if (/\.csv$/i.test(spec)) return toLab(spec, await loadCsvFile(spec), seed, true);
  throw new InvalidArgumentError(`unknown data set "${spec}"; use digits, spirals, moons, xor, a .csv file, or images.idx.gz,labels.idx.gz`);
}
