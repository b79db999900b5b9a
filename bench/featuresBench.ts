// Times the batch feature set over one year of 5m bars plus 1h context, the size a replay computes up front.
import { computeFeatures, FeatureEngine } from '../engine/features/index.ts';
import type { CandleColumnsLike } from '../engine/features/index.ts';
import { median } from './median.ts';

const FIVE_MINUTES = 300_000;
const ROWS = 105_120; // 365 days of 5m bars
const START = Date.UTC(2024, 0, 1);

/** A seeded random walk (LCG, so every run times the same data); values do not affect the timing. */
function syntheticFiveMinute(rows: number): CandleColumnsLike {
  let state = 42;
  const uniform = (): number => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
  const c = { length: rows, openTime: new Float64Array(rows), high: new Float64Array(rows), low: new Float64Array(rows), close: new Float64Array(rows), volume: new Float64Array(rows) };
  let price = 40_000;
  for (let i = 0; i < rows; i++) {
    const open = price;
    price *= Math.exp((uniform() - 0.5) * 0.004);
    c.openTime[i] = START + i * FIVE_MINUTES;
    c.high[i] = Math.max(open, price) * (1 + uniform() * 0.001);
    c.low[i] = Math.min(open, price) * (1 - uniform() * 0.001);
    c.close[i] = price;
    c.volume[i] = 50 + uniform() * 500;
  }
  return c;
}

/** The hours of a 5m series (12 bars each); an hour's open price is not needed by the features. */
function hourly(five: CandleColumnsLike): CandleColumnsLike {
  const rows = Math.floor(five.length / 12);
  const h = { length: rows, openTime: new Float64Array(rows), high: new Float64Array(rows), low: new Float64Array(rows), close: new Float64Array(rows), volume: new Float64Array(rows) };
  for (let r = 0; r < rows; r++) {
    const from = r * 12;
    h.openTime[r] = five.openTime[from]!;
    h.high[r] = Math.max(...five.high.subarray(from, from + 12));
    h.low[r] = Math.min(...five.low.subarray(from, from + 12));
    h.close[r] = five.close[from + 11]!;
    h.volume[r] = five.volume.subarray(from, from + 12).reduce((a, b) => a + b, 0);
  }
  return h;
}

export async function run(): Promise<void> {
  const decision = syntheticFiveMinute(ROWS);
  const context = hourly(decision);

  const batchMs: number[] = [];
  let width = 0;
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    width = computeFeatures(decision, context).width;
    batchMs.push(performance.now() - t0);
  }
  console.log(`computeFeatures: ${ROWS} 5m rows + ${context.length} 1h rows → ${width} features: median ${median(batchMs).toFixed(1)} ms (first run ${batchMs[0]!.toFixed(1)} ms, ${((ROWS / median(batchMs)) * 1000).toFixed(0)} rows/s)`);

  const t0 = performance.now();
  const engine = new FeatureEngine();
  let hour = 0;
  for (let i = 0; i < ROWS; i++) {
    const close = decision.openTime[i]! + FIVE_MINUTES;
    while (hour < context.length && context.openTime[hour]! + 3_600_000 <= close) {
      engine.addContext({ openTime: context.openTime[hour]!, high: context.high[hour]!, low: context.low[hour]!, close: context.close[hour]!, volume: context.volume[hour]! });
      hour++;
    }
    engine.addDecision({ openTime: decision.openTime[i]!, high: decision.high[i]!, low: decision.low[i]!, close: decision.close[i]!, volume: decision.volume[i]! });
  }
  const incrementalMs = performance.now() - t0;
  console.log(`FeatureEngine (incremental, bar by bar): ${incrementalMs.toFixed(1)} ms, ${(incrementalMs * 1000 / ROWS).toFixed(2)} µs/bar`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
