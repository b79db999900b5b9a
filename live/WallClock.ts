import type { Clock } from '../engine/index.ts';

/** The live Clock: the machine's wall time (the engine never reads it itself; adapters pass it in). */
export class WallClock implements Clock {
  now(): number {
    return Date.now();
  }
}
