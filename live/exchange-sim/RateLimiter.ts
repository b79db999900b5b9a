/**
 * Binance's per-minute request-weight budget (REQUEST_WEIGHT, 1 MINUTE, 2400 by default) on wall time. A request
 * that would exceed it is refused with 429 and Retry-After (seconds to the next minute); the used weight is sent
 * with every response as X-MBX-USED-WEIGHT-1M.
 */
export class RateLimiter {
  private minute = -1;
  private used = 0;

  constructor(readonly limit: number) {}

  /** Adds `weight` when it fits; otherwise returns the seconds until the budget renews. */
  take(weight: number, now: number): { ok: true; used: number } | { ok: false; used: number; retryAfterS: number } {
    const minute = Math.floor(now / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.used = 0;
    }
    if (this.used + weight > this.limit) return { ok: false, used: this.used, retryAfterS: Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)) };
    this.used += weight;
    return { ok: true, used: this.used };
  }
}
