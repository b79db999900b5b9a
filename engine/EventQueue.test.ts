import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from './EventQueue.ts';
import { XylenError } from './XylenError.ts';

describe('EventQueue', () => {
  it('pops in (time, push order): a stable sort of what was pushed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), (times) => {
        const queue = new EventQueue<{ ts: number; id: number }>();
        times.forEach((ts, id) => queue.push({ ts, id }));
        const popped: { ts: number; id: number }[] = [];
        for (let e = queue.pop(); e; e = queue.pop()) popped.push(e);
        const expected = times.map((ts, id) => ({ ts, id })).sort((a, b) => a.ts - b.ts || a.id - b.id);
        expect(popped).toEqual(expected);
      }),
    );
  });

  it('interleaves pushes and pops without losing order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { maxLength: 200 }), (ops) => {
        const queue = new EventQueue<{ ts: number }>();
        let now = 0;
        let last = -Infinity;
        for (const [delta, pop] of ops) {
          if (pop) {
            const e = queue.pop();
            if (e) {
              expect(e.ts).toBeGreaterThanOrEqual(last);
              last = e.ts;
              now = e.ts;
            }
          } else queue.push({ ts: now + delta });
        }
      }),
    );
  });

  it('refuses an event scheduled before time already processed (time never goes backwards)', () => {
    const queue = new EventQueue<{ ts: number }>();
    queue.push({ ts: 10 });
    queue.pop();
    expect(() => queue.push({ ts: 9 })).toThrow(XylenError);
    expect(() => queue.push({ ts: Number.NaN })).toThrow(/finite/);
    queue.push({ ts: 10 });
    expect(queue.size).toBe(1);
  });
});
