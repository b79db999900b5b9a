import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Retries after the first attempt; 0 = try once. */
  retries: number;
  /** Wait before the first retry; it doubles each time, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/**
 * Run `work`, retrying with exponential backoff while `retryable` says so. `retryable` returns
 * undefined for an error not worth retrying (it is rethrown at once), or the least wait in ms the
 * other side asked for (a `Retry-After`), 0 if it named none. The last error is rethrown when the
 * retries run out.
 */
export async function retryWithBackoff<T>(work: () => Promise<T>, retryable: (error: unknown) => number | undefined, policy: RetryPolicy): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const askedMs = retryable(error);
      if (askedMs === undefined || attempt >= policy.retries) throw error;
      await sleep(Math.min(policy.maxDelayMs, Math.max(askedMs, policy.baseDelayMs * 2 ** attempt)));
    }
  }
}
