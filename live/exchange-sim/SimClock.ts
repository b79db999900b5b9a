/** How the simulator's market clock moves: `speed` × real time, or one bar per `step()` (tests, lockstep runs). */
export type Pace = { kind: 'speed'; speed: number } | { kind: 'manual' };

/**
 * Market time of the simulator. Bars close on it: with a speed, one base bar every `barMs / speed` ms of wall time
 * (real time at speed 1); manual, only when asked. Request timestamps are checked against the machine's wall clock
 * instead (plus an injected skew), as a client's clock is the machine's: market time may run 600× faster.
 */
export class SimClock {
  private marketNow: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly pace: Pace,
    start: number,
  ) {
    this.marketNow = start;
  }

  now(): number {
    return this.marketNow;
  }

  set(ts: number): void {
    if (ts > this.marketNow) this.marketNow = ts;
  }

  /** Run `tick` every `intervalMs / speed` of wall time, each tick awaited before the next is scheduled. */
  start(intervalMs: number, tick: () => Promise<boolean>): void {
    if (this.pace.kind !== 'speed') return;
    const wallMs = intervalMs / this.pace.speed;
    const origin = performance.now();
    let n = 0;
    const schedule = () => {
      if (this.stopped) return;
      n++;
      const delay = Math.max(0, origin + n * wallMs - performance.now());
      this.timer = setTimeout(() => {
        void tick().then((more) => (more ? schedule() : undefined));
      }, delay);
    };
    schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
