// Argument checks and error mapping shared by the loaders (not part of the public API: index.ts does not export it).
import { describe } from '../util/describe.js';
import { RectifyError } from '../errors.js';
import { DataArgumentError, DataFileError, DataFormatError } from '../errors.js';

/**
 * Default limit on decompressed (or streamed) bytes of every loader: 256 MiB. Enough for the MNIST training images
 * (47 MB inflated); raise it with the loader's `maxBytes` option.
 */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** Largest `maxBytes` a loader accepts (4 GiB). */
export const MAX_MAX_BYTES = 2 ** 32;

/**
 * Checks a `maxBytes` option: an integer in [1, 2^32]; undefined gives {@link DEFAULT_MAX_BYTES}.
 * @param value the option as passed
 * @param who the function name, for the message
 * @throws DataArgumentError otherwise
 */
export function checkMaxBytes(value: unknown, who: string): number {
  if (value === undefined) return DEFAULT_MAX_BYTES;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_MAX_BYTES) {
    throw new DataArgumentError(`${who}: maxBytes must be an integer in [1, 2^32], got ${describe(value)}`);
  }
  return value;
}

/** Checks that an options argument is an object (or undefined). @internal */
export function checkOptions<T extends object>(value: T | undefined, who: string): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DataArgumentError(`${who}: options must be an object like { maxBytes: 1e8 }, got ${value === null ? 'null' : typeof value}`);
  }
  return value;
}

/** Checks that `bytes` is a Uint8Array. @internal */
export function checkBytes(bytes: unknown, who: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new DataArgumentError(`${who}: expected the file contents as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  return bytes;
}

/** The error for corrupt gzip data. */
export function corrupt(what: string, e: unknown): DataFormatError {
  return new DataFormatError(`${what}: gzip data is corrupt or truncated (${e instanceof Error ? e.message : String(e)})`);
}

/**
 * Converts an error from reading or gunzipping a file into a RectifyError (RectifyErrors pass through):
 * file system errors become DataFileError (with the `code`, e.g. ENOENT), zlib errors DataFormatError.
 * @internal
 */
export function fileError(path: string, e: unknown): Error {
  if (e instanceof RectifyError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === 'string' && code.startsWith('Z_')) return corrupt(path, e);
  if (typeof code === 'string') {
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : message;
    return new DataFileError(`${path}: cannot read the file (${why})`, path, code);
  }
  return new DataFileError(`${path}: cannot read the file (${message})`, path, undefined);
}

