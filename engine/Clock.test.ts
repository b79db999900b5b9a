import { describe, expect, it } from 'vitest';
import { ReplayClock } from './Clock.ts';

describe('ReplayClock', () => {
  it('moves forward with events and refuses to go back', () => {
    const clock = new ReplayClock(1000);
    clock.advanceTo(1000);
    clock.advanceTo(61_000);
    expect(clock.now()).toBe(61_000);
    expect(() => clock.advanceTo(60_999)).toThrow(/back/);
    expect(() => clock.advanceTo(Number.NaN)).toThrow(/back/);
    expect(clock.now()).toBe(61_000);
  });
});
