/**
 * The store is held by a writer (a replay, a sweep, the studio's own comparison replay): a state to show and retry,
 * not a failure. DuckDB lets one process write a file or many read it, never both.
 */
export class StoreBusyError extends Error {
  override readonly name = 'StoreBusyError';
  readonly code = 'STORE_BUSY';

  constructor(
    message: string,
    /** The writer is the studio's own replay job (its progress is on the models page). */
    readonly job: { id: string; label: string } | undefined,
  ) {
    super(message);
  }
}
