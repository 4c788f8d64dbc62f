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

/**
 * Thrown when a data file cannot be read (missing, a directory, no permission). `code` is the
 * file system's error code (for example `ENOENT`) and `path` the file that failed.
 */
export class DataFileError extends RectifyError {
  constructor(message: string, readonly path: string, readonly code: string | undefined) {
    super(message);
  }
}

/**
 * Thrown when data is larger than a loader's limit (for example gzip output past `maxBytes`,
 * an IDX header declaring more bytes than allowed, or more than 65,536 classes).
 * The message names the limit and the option that raises it.
 */
export class DataLimitError extends DataFormatError {}
