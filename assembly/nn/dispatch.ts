// Activation kernels by number, for the network's single-call training step (act_fwd, act_bwd, act_pgrad).
// They are generated at build time from the activation table (src/kernels.ts) by scripts/gen-abi.mjs into
// assembly/generated/dispatch.ts: one case per row, numbered by the row's index, with the row's variants (per-unit
// parameters, sbaf's sigmoid domain). Adding a row adds its case; nothing here is edited by hand.
export { act_fwd, act_bwd, act_pgrad } from '../generated/dispatch';
