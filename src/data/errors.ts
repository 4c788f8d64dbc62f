import { RectifyError } from '../errors.js';

/**
 * Thrown when input data (IDX, CSV, embedded data) is malformed: wrong magic number,
 * truncated file, non-numeric cell, ragged row, mismatched counts, unsupported dtype.
 * The message says what was found, what was expected and where.
 */
export class DataFormatError extends RectifyError {}

/**
 * Thrown when a data helper is called with an invalid argument
 * (e.g. a negative point count or a test fraction outside (0, 1)).
 */
export class DataArgumentError extends RectifyError {}
