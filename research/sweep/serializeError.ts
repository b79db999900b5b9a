import { ErrorKind, XylenError } from '../../engine/index.ts';

/** An error as plain data, to cross a thread or a queue and come back as the same XylenError. */
export interface SerializedError {
  kind: ErrorKind;
  code: string;
  message: string;
  where?: string;
  hint?: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof XylenError) {
    return { kind: error.kind, code: error.code, message: error.message, ...(error.where ? { where: error.where } : {}), ...(error.hint ? { hint: error.hint } : {}), ...(error.stack ? { stack: error.stack } : {}) };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { kind: ErrorKind.invariant, code: 'SWEEP_CONFIG_FAILED', message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
}

export function deserializeError(error: SerializedError, context = ''): XylenError {
  const revived = new XylenError(error.kind, error.code, `${context}${error.message}`, {
    ...(error.where ? { where: error.where } : {}),
    ...(error.hint ? { hint: error.hint } : {}),
  });
  if (error.stack) revived.stack = error.stack;
  return revived;
}
