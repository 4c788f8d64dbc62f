// Every activation's f64 reference, by table name. A table row without a reference fails the tests.
import type { Reference } from './types.js';
import * as reluFamily from './relu.js';
import * as sbafFamily from './sbaf.js';
import * as softmaxFamily from './softmax.js';
import * as eluFamily from './elu.js';
import * as sigmoidFamily from './sigmoid.js';

export type { Reference } from './types.js';

export const REFERENCES: Record<string, Reference> = {
  ...reluFamily,
  sbaf: sbafFamily.sbaf,
  arelu: sbafFamily.arelu,
  softmax: softmaxFamily.softmax,
  logSoftmax: softmaxFamily.logSoftmax,
  ...eluFamily,
  ...sigmoidFamily,
};
