// Compile-only check (tests/network.test.ts runs tsc --noEmit over this file): the documented ActivationSpec forms.
import type { ActivationSpec } from '../../src/activation-table.js';

export const perUnitArray: ActivationSpec = { name: 'prelu', units: 3, alpha: [0.1, 0.2, 0.3] };
export const perUnitTyped: ActivationSpec = { name: 'prelu', units: 2, alpha: new Float32Array([0.1, 0.2]) };
export const shared: ActivationSpec = { name: 'prelu', alpha: 0.25 };
export const elu: ActivationSpec = { name: 'elu', alpha: 0.5 };
// @ts-expect-error elu's alpha is one number, not an array
export const eluArray: ActivationSpec = { name: 'elu', alpha: [0.5] };
// @ts-expect-error a misspelled parameter is a compile error
export const typo: ActivationSpec = { name: 'prelu', alpah: 0.25 };
// The extras come from the table rows (perUnit, sigmoidDomain), not from a hand-kept list.
export const sbafDomain: ActivationSpec = { name: 'sbaf', domain: 'sigmoid' };
// @ts-expect-error only rows with sigmoidDomain take a domain
export const reluDomain: ActivationSpec = { name: 'relu', domain: 'sigmoid' };
// @ts-expect-error only per-unit rows take units
export const eluUnits: ActivationSpec = { name: 'elu', units: 3 };
// @ts-expect-error sbaf's domain is one of clamp, sigmoid, strict
export const sbafBad: ActivationSpec = { name: 'sbaf', domain: 'tanh' };
