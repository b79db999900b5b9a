import type { SweepRequest } from '../../research/sweep/index.ts';

export function queueRunner(_options: { url: string; queueName: string }): NonNullable<SweepRequest['runner']> {
  throw new Error('not yet');
}
