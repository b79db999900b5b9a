import { invariantError } from './XylenError.ts';

/** The engine's only source of time. Replay advances it with events; live reads the wall clock (an adapter). */
export interface Clock {
  /** Current time, Unix ms UTC. */
  now(): number;
}

/** Time in a replay: it is whatever the last processed event said, and never goes backwards. */
export class ReplayClock implements Clock {
  private current: number;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advanceTo(ts: number): void {
    if (!(ts >= this.current)) {
      throw invariantError('CLOCK_BACKWARDS', `replay clock asked to move back from ${this.current} to ${ts}`);
    }
    this.current = ts;
  }
}
