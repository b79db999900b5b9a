/** The largest /predict or /retrain body a model server takes by default (1 MiB); larger ones get 413. */
export const DEFAULT_BODY_LIMIT = 1 << 20;
