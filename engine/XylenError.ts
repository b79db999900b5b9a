/**
 * The one error type of Xylen. Errors are grouped by what the caller should do
 * (see ../shared/STYLE.md, convention 10):
 * - `input`: the user gave something invalid (flag, config key, file row); fix it and rerun. Exit code 2.
 * - `operational`: the environment is not as needed (file missing, database locked); exit code 1.
 * - `temporary`: worth retrying with backoff (network, rate limit); exit code 1 if it finally fails.
 * - `invariant`: a broken invariant inside Xylen (time going backwards, NaN price); a bug or corrupt data. Exit code 1.
 *
 * `code` is stable and documented in the README; messages may change.
 */
export const ErrorKind = {
  input: 'input',
  operational: 'operational',
  temporary: 'temporary',
  invariant: 'invariant',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

export interface XylenErrorOptions {
  /** Where the bad input entered: a file path, `file:line`, a config key path or a flag. */
  where?: string;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export class XylenError extends Error {
  override readonly name = 'XylenError';
  readonly where: string | undefined;
  readonly hint: string | undefined;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options: XylenErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.where = options.where;
    this.hint = options.hint;
  }

  /** Process exit code for the CLI: 2 for bad usage or input, 1 for everything else. */
  get exitCode(): 1 | 2 {
    return this.kind === ErrorKind.input ? 2 : 1;
  }

  /** One or two lines a user can act on, without a stack trace. */
  describe(): string {
    const head = this.where ? `${this.where}: ${this.message}` : this.message;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }
}

export const inputError = (code: string, message: string, options?: XylenErrorOptions): XylenError =>
  new XylenError(ErrorKind.input, code, message, options);

export const operationalError = (code: string, message: string, options?: XylenErrorOptions): XylenError =>
  new XylenError(ErrorKind.operational, code, message, options);

export const invariantError = (code: string, message: string, options?: XylenErrorOptions): XylenError =>
  new XylenError(ErrorKind.invariant, code, message, options);
