/**
 * Resolving an activation spec (a name or `{ name, ...parameters }`) to a table row and binding it to an engine core.
 * The engine and the networks both create activations here.
 * @module
 */
import { Activation } from './activation.js';
import { activationNames, findActivation } from './activation-table.js';
import { describe } from './util/describe.js';
import { UnknownActivationError } from './errors.js';
import type { EngineCore } from './core.js';

/** @internal An activation of `core` from a spec; unknown names are UnknownActivationError, bad parameters InvalidParameterError. */
export function makeActivation(core: EngineCore, spec: unknown): Activation {
  core.check();
  const obj = (typeof spec === 'string' ? { name: spec } : spec) as Record<string, unknown>;
  if (obj === null || typeof obj !== 'object' || typeof obj.name !== 'string') {
    throw new UnknownActivationError(`an activation spec is a name or { name, ...parameters }, got ${describe(spec)}; ` +
      `valid names: ${activationNames().join(', ')}`, activationNames());
  }
  const def = findActivation(obj.name);
  if (!def) {
    throw new UnknownActivationError(`unknown activation "${obj.name}"; valid names: ${activationNames().join(', ')}`,
      activationNames());
  }
  return new Activation(core, def, obj);
}
