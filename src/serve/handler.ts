import { InvalidArgumentError } from '../errors.js';
import { checkStrings, type FeatureStats } from './stats.js';

/** What the handler needs of a network: its widths and a synchronous `predict` (a rectify `Network` fits). */
export interface Predictor {
  /** Values per input row. */
  readonly inputs: number;
  /** Values per output row. */
  readonly outputs: number;
  /** rows x inputs values in, rows x outputs values out. */
  predict(x: Float32Array): Float32Array;
  /** What a rectify network saved with it (`net.metadata`); the handler's defaults come from here. */
  readonly metadata?: PredictorMetadata;
}

/**
 * The part of a network's `metadata` the handler reads: input names (in warnings), class labels (in `top`), and the
 * training statistics `fit` recorded (the range check). The options `featureStats`, `labels` and `inputRange` win.
 */
export interface PredictorMetadata {
  readonly inputNames?: readonly string[];
  readonly labels?: readonly string[];
  readonly featureStats?: { readonly min: readonly number[]; readonly max: readonly number[]; readonly mean: readonly number[]; readonly std: readonly number[] };
}

/** What the handler does with inputs outside the training range: nothing, a warning, or a 422. */
export type RangeCheck = 'off' | 'warn' | 'reject';

/** What a prediction answer holds: the output row(s), the top classes, or both. */
export type OutputForm = 'probabilities' | 'top' | 'both';

/** Options of {@link createPredictHandler}. Every one is checked when the handler is created. */
export interface PredictHandlerOptions {
  /**
   * Origins allowed to call from a browser on another origin (CORS), such as `['https://app.example.com']`, or `'*'`.
   * Default: none (no CORS headers; a preflight from another origin gets 403).
   */
  allowedOrigins?: readonly string[] | '*';
  /** Largest body accepted, in bytes, checked from Content-Length and while reading (413). Default 1024 + 32 x inputs x maxBatch. */
  maxBodyBytes?: number;
  /** Accepted media types of the body (415 otherwise). Default `['application/json']`. */
  contentTypes?: readonly string[];
  /** Most rows in one batch `{ "inputs": [[...], ...] }` (400 `batch_too_large` above). Default 64. */
  maxBatch?: number;
  /** What an answer holds (default `'probabilities'`): `{ probabilities }`, `{ top }` or both. */
  output?: OutputForm;
  /** How many classes `top` lists, best first (default 1; at most the network's outputs). */
  topK?: number;
  /** A label per output class for `top` (default: `featureStats.labels`, else `net.metadata.labels`, else the class index as a string). */
  labels?: readonly string[];
  /**
   * Training statistics per feature (see `featureStats`): the range check and the feature names come from here.
   * Default: `net.metadata` (the statistics `fit` recorded and the saved model carries, its input names and labels),
   * read once, when the handler is made.
   */
  featureStats?: FeatureStats;
  /** Just a per-feature range `{ min, max }` (instead of `net.metadata`'s statistics); ignored when featureStats has min/max. */
  inputRange?: { min: readonly number[]; max: readonly number[] };
  /** `'off'`, `'warn'` (flag in the answer and a header) or `'reject'` (422). Default `'warn'` when a range is known (an option or `net.metadata`). */
  rangeCheck?: RangeCheck;
  /**
   * How far outside the training data an input may go before it is flagged: with a min/max range, as a fraction of the
   * feature's span (max - min, or 1 when the feature was constant), default 0.5; with only mean/std, in standard
   * deviations (1 when std was 0), default 6.
   */
  tolerance?: number;
}

/** One input value outside the training range (in a warning or a 422's details). */
export interface RangeFinding {
  /** Row of the request (0 for a single row). */
  row: number;
  /** Feature index. */
  feature: number;
  /** Feature name (from featureStats.names, else `x[i]`). */
  name: string;
  /** The value sent. */
  value: number;
  /** The lowest and highest values allowed (the training range widened by the tolerance). */
  allowed: [number, number];
  /** How far beyond the allowed interval the value is (always > 0). */
  by: number;
  /** The same, in words. */
  message: string;
}

/** The stable error codes of the handler's JSON errors `{ error: { code, message } }`, with their HTTP status. */
export const SERVE_ERROR_STATUS = {
  bad_content_length: 400,
  empty_body: 400,
  invalid_utf8: 400,
  invalid_json: 400,
  invalid_body: 400,
  wrong_width: 400,
  not_a_number: 400,
  not_finite: 400,
  f32_overflow: 400,
  empty_batch: 400,
  batch_too_large: 400,
  origin_not_allowed: 403,
  method_not_allowed: 405,
  body_too_large: 413,
  unsupported_media_type: 415,
  out_of_range: 422,
  internal_error: 500,
} as const;

/** A stable error code of the handler. */
export type ServeErrorCode = keyof typeof SERVE_ERROR_STATUS;

const ALLOW = 'POST, OPTIONS';
const REQUEST_ID = /^[A-Za-z0-9._:\-]{1,128}$/;
const MAX_FINDINGS = 10;
/** Cloudflare's runtime (its navigator.userAgent): it resets a connection whose request body is cancelled. */
const IN_WORKERD = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === 'Cloudflare-Workers';
const EXPOSED = 'X-Request-Id, Server-Timing, X-Rectify-Warning';

class ClientError {
  constructor(readonly code: ServeErrorCode, readonly message: string, readonly details?: unknown) {}
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function positiveInt(v: unknown, what: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new InvalidArgumentError(`createPredictHandler: ${what} must be a positive integer, got ${describe(v)}`);
  }
  return v;
}

function numbers(v: unknown, what: string, n: number): number[] {
  if (!Array.isArray(v) || v.length !== n || v.some((e) => typeof e !== 'number' || !Number.isFinite(e))) {
    throw new InvalidArgumentError(`createPredictHandler: ${what} must be an array of ${n} finite numbers (one per input), got ${describe(v)}`);
  }
  return [...v] as number[];
}

interface Bounds { lo: Float64Array; hi: Float64Array; basis: string[] }

type Stats = { readonly [K in 'min' | 'max' | 'mean' | 'std']?: readonly number[] };

/** The allowed interval of each feature, from min/max (widened by tolerance x span) or mean/std (tolerance x std). */
function bounds(inputs: number, stats: Stats | undefined, range: PredictHandlerOptions['inputRange'], tolerance: number | undefined): Bounds | undefined {
  const min = stats?.min ?? range?.min, max = stats?.max ?? range?.max;
  const lo = new Float64Array(inputs), hi = new Float64Array(inputs), basis: string[] = [];
  if (min !== undefined || max !== undefined) {
    const mn = numbers(min, 'featureStats.min (or inputRange.min)', inputs), mx = numbers(max, 'featureStats.max (or inputRange.max)', inputs);
    const t = tolerance ?? 0.5;
    for (let j = 0; j < inputs; j++) {
      if (mn[j]! > mx[j]!) throw new InvalidArgumentError(`createPredictHandler: min[${j}] (${mn[j]}) is above max[${j}] (${mx[j]})`);
      const span = mx[j]! - mn[j]! > 0 ? mx[j]! - mn[j]! : 1;
      lo[j] = mn[j]! - t * span; hi[j] = mx[j]! + t * span;
      basis.push(mx[j]! > mn[j]! ? `the training range [${mn[j]}, ${mx[j]}] widened by ${t} x its span`
        : `the feature was always ${mn[j]} in training; allowed +- ${t}`);
    }
    return { lo, hi, basis };
  }
  if (stats?.mean !== undefined || stats?.std !== undefined) {
    const mean = numbers(stats.mean, 'featureStats.mean', inputs), std = numbers(stats.std, 'featureStats.std', inputs);
    const t = tolerance ?? 6;
    for (let j = 0; j < inputs; j++) {
      if (std[j]! < 0) throw new InvalidArgumentError(`createPredictHandler: featureStats.std[${j}] must be >= 0, got ${std[j]}`);
      const s = std[j]! > 0 ? std[j]! : 1;
      lo[j] = mean[j]! - t * s; hi[j] = mean[j]! + t * s;
      basis.push(`the training mean ${mean[j]} +- ${t} standard deviations (${std[j]})`);
    }
    return { lo, hi, basis };
  }
  return undefined;
}

function newRequestId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  throw new InvalidArgumentError('createPredictHandler: this runtime has no crypto.randomUUID to make request ids');
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/**
 * An HTTP handler that serves `net.predict`, fetch-style: `(request: Request) => Promise<Response>`, usable as is by
 * Cloudflare Workers (`export default { fetch: handler }`), `Deno.serve(handler)`, `Bun.serve({ fetch: handler })`, and
 * Node's `node:http` through `toNodeListener(handler)` (also in `rectify/serve`). It answers any path (route before calling it).
 *
 * `POST` a JSON body `{ "inputs": [n numbers] }` (one row) or `{ "inputs": [[n numbers], ...] }` (a batch of up to
 * `maxBatch` rows), n = net.inputs. The answer is `{ "probabilities": [...] }` (or `[[...], ...]` for a batch), each
 * f32 written as the shortest decimal that reads back to the same f32; with `output: 'top'` (or `'both'`),
 * `{ "top": [{ "class", "label", "probability" }, ...] }`. Inputs flagged by the range check add `"warnings"` and an
 * `X-Rectify-Warning` header. `OPTIONS` answers the CORS preflight; other methods get 405 with `Allow`.
 *
 * Every failure is JSON `{ "error": { "code", "message" } }` with a stable code (see {@link SERVE_ERROR_STATUS}) and
 * a 4xx status for anything the client sent; every response carries `X-Request-Id` (a valid incoming one is echoed)
 * and `Server-Timing` (`parse`, `predict`). The handler never throws: an unexpected failure is a JSON 500.
 *
 * Throws `InvalidArgumentError` (a `RectifyError`) here, at creation, for an option it cannot use; the message says which.
 */
export function createPredictHandler(net: Predictor, options: PredictHandlerOptions = {}): (request: Request) => Promise<Response> {
  if (net === null || typeof net !== 'object' || typeof net.predict !== 'function' ||
      !Number.isInteger(net.inputs) || net.inputs < 1 || !Number.isInteger(net.outputs) || net.outputs < 1) {
    throw new InvalidArgumentError('createPredictHandler: net must be a rectify Network (inputs, outputs and predict(x)), e.g. engine.loadNetwork(bytes)');
  }
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('createPredictHandler: options must be an object');
  const inputs = net.inputs, outputs = net.outputs;
  const maxBatch = positiveInt(options.maxBatch, 'maxBatch', 64);
  const maxBodyBytes = positiveInt(options.maxBodyBytes, 'maxBodyBytes', 1024 + 32 * inputs * maxBatch);
  const types = options.contentTypes === undefined ? ['application/json']
    : checkStrings(options.contentTypes, 'createPredictHandler: contentTypes', undefined).map((t) => t.trim().toLowerCase());
  if (types.length === 0) throw new InvalidArgumentError('createPredictHandler: contentTypes must list at least one media type');
  const origins = options.allowedOrigins === undefined ? [] : options.allowedOrigins === '*' ? '*'
    : checkStrings(options.allowedOrigins, 'createPredictHandler: allowedOrigins (or \'*\')', undefined);
  const output = options.output ?? 'probabilities';
  if (output !== 'probabilities' && output !== 'top' && output !== 'both') {
    throw new InvalidArgumentError(`createPredictHandler: output must be 'probabilities', 'top' or 'both', got ${describe(output)}`);
  }
  const topK = positiveInt(options.topK, 'topK', 1);
  if (topK > outputs) throw new InvalidArgumentError(`createPredictHandler: topK (${topK}) must be at most the network's outputs (${outputs})`);
  const given = options.featureStats;
  if (given !== undefined && (given === null || typeof given !== 'object')) {
    throw new InvalidArgumentError('createPredictHandler: featureStats must be the object featureStats(x, inputs) returned');
  }
  // The network's saved metadata (input names, labels, training statistics) fills in what the options leave out.
  const meta: PredictorMetadata = net.metadata !== null && typeof net.metadata === 'object' ? net.metadata : {};
  const stats: Stats | undefined = given ?? (options.inputRange ? undefined : meta.featureStats);
  const labelList = options.labels ?? given?.labels ?? meta.labels;
  const labels = labelList === undefined ? Array.from({ length: outputs }, (_, i) => String(i))
    : checkStrings(labelList, 'createPredictHandler: labels (one per output class)', outputs);
  const nameList = given?.names ?? meta.inputNames;
  const names = nameList === undefined ? Array.from({ length: inputs }, (_, i) => `x[${i}]`)
    : checkStrings(nameList, 'createPredictHandler: featureStats.names (or net.metadata.inputNames)', inputs);
  const tolerance = options.tolerance;
  if (tolerance !== undefined && (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0)) {
    throw new InvalidArgumentError(`createPredictHandler: tolerance must be a finite number >= 0, got ${describe(tolerance)}`);
  }
  const allowed = bounds(inputs, stats, options.inputRange, tolerance);
  const rangeCheck = options.rangeCheck ?? (allowed ? 'warn' : 'off');
  if (rangeCheck !== 'off' && rangeCheck !== 'warn' && rangeCheck !== 'reject') {
    throw new InvalidArgumentError(`createPredictHandler: rangeCheck must be 'off', 'warn' or 'reject', got ${describe(rangeCheck)}`);
  }
  if (rangeCheck !== 'off' && !allowed) {
    throw new InvalidArgumentError(`createPredictHandler: rangeCheck '${rangeCheck}' needs training statistics: a network trained with fit (net.metadata), featureStats (from featureStats(x, inputs)) or inputRange { min, max }`);
  }
  const usage = `send { "inputs": [${inputs} numbers] } or { "inputs": [[${inputs} numbers], ...] } (up to ${maxBatch} rows)`;

  function corsHeaders(request: Request, h: Headers): boolean {
    const origin = request.headers.get('origin');
    if (origin === null) return true;
    if (origins === '*' || origins.includes(origin)) {
      h.set('access-control-allow-origin', origins === '*' ? '*' : origin);
      h.set('access-control-expose-headers', EXPOSED);
      h.set('timing-allow-origin', origins === '*' ? '*' : origin);
      if (origins !== '*') h.append('vary', 'Origin');
      return true;
    }
    return false;
  }

  async function readBody(request: Request): Promise<Uint8Array> {
    const declared = request.headers.get('content-length');
    if (declared !== null) {
      if (!/^\d{1,15}$/.test(declared.trim())) throw new ClientError('bad_content_length', `Content-Length must be a byte count, got ${JSON.stringify(declared.slice(0, 20))}`);
      if (Number(declared) > maxBodyBytes) throw new ClientError('body_too_large', `the body is ${declared} bytes; the limit is ${maxBodyBytes} bytes: send at most ${maxBatch} rows per request`);
    }
    if (request.body === null) throw new ClientError('empty_body', `the body is empty: ${usage}`);
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBodyBytes) {
        // Stop reading. Cancelling closes the connection once the 413 is sent (Node, Deno, Bun), but workerd resets it
        // at once and the client never sees the 413: there the body is only left unread (workerd then closes it).
        if (IN_WORKERD) reader.releaseLock();
        else reader.cancel().catch(() => undefined);
        throw new ClientError('body_too_large', `the body is over the limit of ${maxBodyBytes} bytes: send at most ${maxBatch} rows per request`);
      }
      chunks.push(value);
    }
    if (total === 0) throw new ClientError('empty_body', `the body is empty: ${usage}`);
    if (chunks.length === 1) return chunks[0]!;
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) { all.set(c, at); at += c.byteLength; }
    return all;
  }

  function checkMediaType(request: Request): void {
    const raw = request.headers.get('content-type');
    if (raw === null) throw new ClientError('unsupported_media_type', `the request has no Content-Type: send Content-Type: ${types[0]} with ${usage}`);
    const [type, ...params] = raw.split(';').map((s) => s.trim().toLowerCase());
    if (!types.includes(type!)) {
      throw new ClientError('unsupported_media_type', `Content-Type ${JSON.stringify(raw.slice(0, 60))} is not accepted: send ${types.join(' or ')}`);
    }
    const charset = params.find((p) => p.startsWith('charset='));
    if (charset !== undefined && !/^charset="?utf-8"?$/.test(charset)) {
      throw new ClientError('unsupported_media_type', `${charset} is not accepted: send the body as UTF-8 (charset=utf-8)`);
    }
  }

  /** The rows as one Float32Array (rows x inputs), and whether the request was a batch. */
  function parseInputs(body: unknown): { x: Float32Array; rows: number; batch: boolean } {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ClientError('invalid_body', `the body must be a JSON object: ${usage}`);
    const v = (body as { inputs?: unknown }).inputs;
    if (!Array.isArray(v)) throw new ClientError('invalid_body', `inputs must be an array, got ${describe(v)}: ${usage}`);
    const batch = v.length > 0 && Array.isArray(v[0]);
    const list: unknown[] = batch ? v : [v];
    if (batch && v.length > maxBatch) throw new ClientError('batch_too_large', `the batch has ${v.length} rows; the limit is ${maxBatch}: split it into several requests`);
    const x = new Float32Array(list.length * inputs);
    for (let r = 0; r < list.length; r++) {
      const row = list[r];
      const at = batch ? `inputs[${r}]` : 'inputs';
      if (!Array.isArray(row)) throw new ClientError('invalid_body', `${at} must be an array of ${inputs} numbers, got ${describe(row)}`);
      if (row.length !== inputs) {
        throw new ClientError('wrong_width', `${at} must hold exactly ${inputs} numbers (the network's inputs), got ${row.length}`);
      }
      for (let j = 0; j < inputs; j++) {
        const e: unknown = row[j];
        if (typeof e !== 'number') throw new ClientError('not_a_number', `${at}[${j}] must be a number, got ${describe(e)}`);
        if (!Number.isFinite(e)) throw new ClientError('not_finite', `${at}[${j}] is ${String(e)}: send finite numbers (JSON read a literal too large for a double)`);
        x[r * inputs + j] = e;
        if (!Number.isFinite(x[r * inputs + j]!)) {
          throw new ClientError('f32_overflow', `${at}[${j}] is ${e}, beyond the f32 range (magnitudes up to 3.4028234663852886e38): the network computes in f32`);
        }
      }
    }
    return { x, rows: list.length, batch };
  }

  function checkRange(x: Float32Array, rows: number, batch: boolean): { findings: RangeFinding[]; count: number } {
    const findings: RangeFinding[] = [];
    let count = 0;
    if (rangeCheck === 'off' || !allowed) return { findings, count };
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < inputs; j++) {
        const v = x[r * inputs + j]!, lo = allowed.lo[j]!, hi = allowed.hi[j]!;
        if (v >= lo && v <= hi) continue;
        count++;
        if (findings.length >= MAX_FINDINGS) continue;
        const by = v < lo ? lo - v : v - hi;
        const at = batch ? `inputs[${r}][${j}]` : `inputs[${j}]`;
        findings.push({
          row: r, feature: j, name: names[j]!, value: v, allowed: [lo, hi], by,
          message: `${at} (${names[j]}) is ${v}, ${by} ${v < lo ? 'below' : 'above'} the allowed [${lo}, ${hi}] (${allowed.basis[j]})`,
        });
      }
    }
    return { findings, count };
  }

  function top(p: Float32Array, r: number): { class: number; label: string; probability: number }[] {
    const idx: number[] = [];
    for (let c = 0; c < outputs; c++) idx.push(c);
    const o = r * outputs;
    idx.sort((a, b) => (p[o + b]! > p[o + a]! ? 1 : p[o + b]! < p[o + a]! ? -1 : a - b));
    return idx.slice(0, topK).map((c) => ({ class: c, label: labels[c]!, probability: p[o + c]! }));
  }

  /**
   * Reads and drops a body the answer did not need (405, 415, 403), up to maxBodyBytes: workerd closes a keep-alive
   * connection whose request body was left unread, and the client's next request on it fails (ECONNRESET).
   */
  async function drain(request: Request): Promise<void> {
    if (request.body === null || request.bodyUsed) return;
    const declared = request.headers.get('content-length');
    if (declared !== null && !(Number(declared) <= maxBodyBytes)) return;
    try {
      const reader = request.body.getReader();
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        total += value.byteLength;
        if (total > maxBodyBytes) { reader.releaseLock(); return; }
      }
    } catch { /* the client went away: nothing to answer */ }
  }

  function respond(status: number, body: unknown, h: Headers, id: string, timing: string): Response {
    h.set('content-type', 'application/json; charset=utf-8');
    h.set('cache-control', 'no-store');
    h.set('x-content-type-options', 'nosniff');
    h.set('x-request-id', id);
    h.set('server-timing', timing);
    return new Response(body === null ? null : JSON.stringify(body), { status, headers: h });
  }

  return async function handle(request: Request): Promise<Response> {
    const h = new Headers();
    let id = 'unknown';
    let tParse = 0, tPredict = 0;
    const timing = () => `parse;dur=${tParse.toFixed(3)}, predict;dur=${tPredict.toFixed(3)}`;
    const fail = (e: ClientError) => {
      h.set('content-type', 'application/json');
      const body = { error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } };
      if (e.code === 'method_not_allowed' || e.code === 'origin_not_allowed') h.set('allow', ALLOW);
      return respond(SERVE_ERROR_STATUS[e.code], body, h, id, timing());
    };
    try {
      const incoming = request.headers.get('x-request-id');
      id = incoming !== null && REQUEST_ID.test(incoming) ? incoming : newRequestId();
      const corsOk = corsHeaders(request, h);
      if (request.method === 'OPTIONS') {
        if (!corsOk) {
          await drain(request);
          return fail(new ClientError('origin_not_allowed',
            `origin ${JSON.stringify((request.headers.get('origin') ?? '').slice(0, 100))} may not call this API; allowed: ${origins === '*' ? 'any' : origins.length ? origins.join(', ') : 'none (same origin only)'}`));
        }
        h.set('allow', ALLOW);
        if (request.headers.get('origin') !== null) {
          h.set('access-control-allow-methods', ALLOW);
          h.set('access-control-allow-headers', 'Content-Type, X-Request-Id');
          h.set('access-control-max-age', '86400');
        }
        return respond(204, null, h, id, timing());
      }
      if (request.method !== 'POST') {
        await drain(request);
        return fail(new ClientError('method_not_allowed', `method ${request.method.slice(0, 20)} is not allowed: use POST with ${usage}`));
      }
      checkMediaType(request);
      const bytes = await readBody(request);
      const t1 = now();
      let text: string;
      try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch {
        throw new ClientError('invalid_utf8', 'the body is not valid UTF-8: send JSON text encoded as UTF-8');
      }
      let body: unknown;
      try { body = JSON.parse(text); } catch (e) {
        throw new ClientError('invalid_json', `the body is not valid JSON (${e instanceof Error ? e.message.slice(0, 120) : 'parse error'}): ${usage}`);
      }
      const { x, rows, batch } = parseInputs(body);
      const range = checkRange(x, rows, batch);
      const t2 = now();
      tParse = t2 - t1;
      if (range.count > 0 && rangeCheck === 'reject') {
        throw new ClientError('out_of_range',
          `${range.count} input value${range.count > 1 ? 's are' : ' is'} far outside the training data, first ${range.findings[0]!.message}: check the units and scaling of the inputs`,
          range.findings);
      }
      const p = net.predict(x);
      tPredict = now() - t2;
      const answer: Record<string, unknown> = {};
      if (output !== 'top') {
        const rowsOut: number[][] = [];
        for (let r = 0; r < rows; r++) rowsOut.push(Array.from(p.subarray(r * outputs, (r + 1) * outputs)));
        answer.probabilities = batch ? rowsOut : rowsOut[0];
      }
      if (output !== 'probabilities') {
        const tops = [];
        for (let r = 0; r < rows; r++) tops.push(top(p, r));
        answer.top = batch ? tops : tops[0];
      }
      if (range.count > 0) {
        answer.warnings = range.findings;
        h.set('x-rectify-warning', `out_of_range; count=${range.count}; first="row ${range.findings[0]!.row} feature ${range.findings[0]!.feature}"`);
      }
      return respond(200, answer, h, id, timing());
    } catch (e) {
      if (e instanceof ClientError) {
        if (e.code === 'unsupported_media_type' || e.code === 'bad_content_length') await drain(request);
        return fail(e);
      }
      return respond(500, { error: { code: 'internal_error', message: 'the server failed to answer this request (not a problem with the request); retry later' } },
        h, id, timing());
    }
  };
}
