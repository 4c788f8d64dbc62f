/**
 * Loading a saved network (the serializer's second half): the file is parsed and checked by src/serialize/format.ts,
 * then the network is rebuilt with the builder and given the saved values. Anything the builder rejects becomes a
 * ModelFormatError; nothing stays allocated after a failure.
 * @module
 */
import type { EngineCore } from '../core.js';
import { ModelFormatError, OutOfMemoryError } from '../errors.js';
import { networkBuilder, type NetworkBuilder } from '../network/builder.js';
import type { Network } from '../network/network.js';
import type { BuildOptions } from '../network/types.js';
import { checkLoadOptions, messageOf, parseSaved, type LoadOptions, type NetworkJSON, type ParsedNetwork } from './format.js';

/** @internal `engine.loadNetwork`: restores a network saved with `toJSON()` or `save()`, bit for bit. */
export function loadNetwork(core: EngineCore, saved: NetworkJSON | string | Uint8Array | ArrayBuffer, options?: LoadOptions): Network {
  core.check();
  const maxParameters = checkLoadOptions(options);
  // The arena keeps its limit private; the loader needs it to refuse a network that cannot fit before building.
  const limit = (core.arena as unknown as { readonly maxBytes: number }).maxBytes;
  const parsed = parseSaved(saved, { maxParameters, headroomBytes: limit - core.arena.stats().usedBytes });
  return rebuild(core, parsed);
}

/** Builds the network a parsed file describes and copies the saved values in. */
function rebuild(core: EngineCore, parsed: ParsedNetwork): Network {
  const { json, values, moments, buffers } = parsed;
  let net: Network;
  try {
    let b = networkBuilder(core, { inputs: json.inputs, seed: json.seed }) as NetworkBuilder<number, number>;
    for (const l of json.layers) {
      const t = l.trainable === false ? { trainable: false } : {};
      if (l.kind === 'dropout') b = b.dropout(l.rate!);
      else if (l.kind === 'batchNorm') b = b.batchNorm({ momentum: l.momentum!, epsilon: l.epsilon!, ...t });
      else if (l.kind === 'layerNorm') b = b.layerNorm({ epsilon: l.epsilon!, ...t });
      else b = b.dense(l.units, l.activation as never, { ...(l.init ? { init: l.init } : {}), ...t, ...(l.l1 ? { l1: l.l1 } : {}), ...(l.l2 ? { l2: l.l2 } : {}) });
    }
    net = b.build({ loss: json.loss as BuildOptions['loss'], optimizer: json.optimizer as unknown as BuildOptions['optimizer'], clipNorm: json.clipNorm });
  } catch (e) {
    if (e instanceof ModelFormatError || e instanceof OutOfMemoryError) throw e;
    throw new ModelFormatError(`the saved network is not valid: ${messageOf(e)}`);
  }
  // The parser checked the blocks against the layers; this guards the builder's layout against the parser's.
  const params = net.parameters();
  const state = json.training ? net.trainingState().moments : [];
  const same = (have: readonly { data: Float32Array }[], want: Float32Array[]) => have.length === want.length && have.every((p, i) => p.data.length === want[i]!.length);
  if (!same(params, values) || (json.training && !same(state, moments))) {
    net.dispose();
    throw new ModelFormatError('the file\'s blocks do not match the network its layers build');
  }
  for (let i = 0; i < params.length; i++) params[i]!.data.set(values[i]!);
  net.buffers().forEach((b, i) => { if (buffers[i]) b.data.set(buffers[i]!); }); // version 4 (checked by the parser)
  const { epoch = 0, base = 0, wait = 0, best = Infinity, ...spec } = json.schedule ?? {};
  if (json.training) net.restoreTraining(json.training, moments, json.schedule && { spec: spec as never, epoch, base, wait, best });
  if (json.metadata) net.metadata = json.metadata;
  return net;
}
