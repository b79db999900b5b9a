import { invariantError } from './XylenError.ts';

/** Anything scheduled on the engine's timeline: `ts` is Unix ms of when it happens (a candle: its close). */
export interface Timed {
  readonly ts: number;
}

/**
 * A min-heap of events ordered by (ts, sequence), where the sequence is the order of `push`. Equal times
 * therefore come out in the order they went in, which makes replay independent of heap internals: the
 * same pushes give the same pops. Parallel arrays keep the hot path free of wrapper objects.
 */
export class EventQueue<T extends Timed> {
  private items: T[] = [];
  private seqs: number[] = [];
  private nextSeq = 0;
  private lastPopped = -Infinity;

  get size(): number {
    return this.items.length;
  }

  push(event: T): void {
    if (!Number.isFinite(event.ts)) throw invariantError('EVENT_TIME_INVALID', `event time must be finite, got ${event.ts}`);
    if (event.ts < this.lastPopped) {
      throw invariantError('EVENT_IN_THE_PAST', `event at ${event.ts} scheduled after time ${this.lastPopped} was already processed`);
    }
    this.items.push(event);
    this.seqs.push(this.nextSeq++);
    this.siftUp(this.items.length - 1);
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top === undefined) return undefined;
    const lastItem = this.items.pop()!;
    const lastSeq = this.seqs.pop()!;
    if (this.items.length > 0) {
      this.items[0] = lastItem;
      this.seqs[0] = lastSeq;
      this.siftDown(0);
    }
    this.lastPopped = top.ts;
    return top;
  }

  private before(i: number, j: number): boolean {
    const a = this.items[i]!.ts;
    const b = this.items[j]!.ts;
    return a < b || (a === b && this.seqs[i]! < this.seqs[j]!);
  }

  private swap(i: number, j: number): void {
    const item = this.items[i]!;
    this.items[i] = this.items[j]!;
    this.items[j] = item;
    const seq = this.seqs[i]!;
    this.seqs[i] = this.seqs[j]!;
    this.seqs[j] = seq;
  }

  private siftUp(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(index: number): void {
    const n = this.items.length;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.before(left, smallest)) smallest = left;
      if (right < n && this.before(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
