import { inputError, intervalMs, Rng, type Interval } from '../../engine/index.ts';
import type { CandleColumns, FundingColumns } from '../CandleColumns.ts';

export interface SyntheticOptions {
  /** Open time of the first candle, Unix ms UTC, aligned to the interval. */
  start: number;
  /** End of the series (exclusive), Unix ms UTC. */
  end: number;
  interval: Interval;
  seed: number;
  /** Price at `start`. */
  price: number;
}

export interface SyntheticSeries {
  candles: CandleColumns;
  funding: FundingColumns;
}

const MINUTE_MS = 60_000;
const FUNDING_PERIOD_MS = 8 * 3_600_000;
const WEEK_OFFSET_MS = 4 * 86_400_000; // Binance weeks open on Monday; 1970-01-01 was a Thursday.

/** Per-minute standard deviation of log returns, as measured on BTCUSDT 1m of May 2025 (0.00053). */
const MEAN_SIGMA = 0.00053;
/** GARCH(1,1): α + β close to 1 gives the long-lived volatility clusters of real 1m returns. */
const GARCH_ALPHA = 0.05;
const GARCH_BETA = 0.94;
const GARCH_OMEGA = MEAN_SIGMA ** 2 * (1 - GARCH_ALPHA - GARCH_BETA);
/** About one jump every two days, of about ±0.4 %. */
const JUMP_PROBABILITY = 1 / 2_880;
const JUMP_SIGMA = 0.004;
/** Price path points inside each minute, for highs and lows that a close-only walk would miss. */
const SUBSTEPS = 16;
/** Mean 1m volume of BTCUSDT perpetual in May 2025, in BTC. */
const MEAN_VOLUME = 128;
const MEAN_TRADE_SIZE = 0.05;
const FUNDING_MEAN = 0.0001;
/** Binance caps BTCUSDT funding at ±0.3 % per 8 h. */
const FUNDING_CAP = 0.003;

/** Calm, rally and sell-off: the Markov chain stays in one for `meanMinutes` on average. */
const REGIMES = [
  { drift: 0, volatility: 0.8, meanMinutes: 4_320 },
  { drift: 3e-6, volatility: 1.0, meanMinutes: 2_160 },
  { drift: -4e-6, volatility: 1.6, meanMinutes: 720 },
] as const;

/**
 * A seeded synthetic BTC-like market: candles and 8-hourly funding rates that show the stylized
 * facts of real 1m crypto data (volatility clustering, fat tails, jumps, regimes, a U-shaped
 * intraday volume and volatility profile, volume that rises with |return|).
 *
 * Pure: no I/O, no wall time; the same options give byte-identical columns. The market is
 * simulated minute by minute and folded into candles of `interval`.
 */
export function generateSynthetic(options: SyntheticOptions): SyntheticSeries {
  const { start, end, interval, seed, price } = options;
  const stepMs = intervalMs(interval);
  validate(options, stepMs);
  const perCandle = stepMs / MINUTE_MS;
  const count = Math.floor((end - start) / stepMs);
  const candles = emptyCandles(count);
  const fundingTimes: number[] = [];
  const fundingRates: number[] = [];
  const fundingMarks: number[] = [];

  const random = new Rng(seed);
  const decimals = Math.max(0, 5 - Math.floor(Math.log10(price)));
  const toTick = (value: number): number => round(value, decimals);
  const path = new Float64Array(SUBSTEPS + 1);

  let logPrice = Math.log(price);
  let variance = MEAN_SIGMA ** 2;
  let lastShock = 0;
  let regime = 0;
  let fundingRate = FUNDING_MEAN;
  let logPriceAtLastFunding = logPrice;

  for (let minute = 0; minute < count * perCandle; minute++) {
    const time = start + minute * MINUTE_MS;
    if (time % FUNDING_PERIOD_MS === 0) {
      // Funding mean-reverts to 0.01 % and leans with the last 8 h trend, as longs pay more in rallies.
      const trend = logPrice - logPriceAtLastFunding;
      fundingRate = FUNDING_MEAN + 0.8 * (fundingRate - FUNDING_MEAN) + 0.004 * trend + 0.000015 * random.normal();
      fundingRate = Math.min(FUNDING_CAP, Math.max(-FUNDING_CAP, fundingRate));
      fundingTimes.push(time);
      fundingRates.push(round(fundingRate, 8));
      fundingMarks.push(toTick(Math.exp(logPrice)));
      logPriceAtLastFunding = logPrice;
    }

    if (random.next() < 1 / REGIMES[regime]!.meanMinutes) regime = (regime + 1 + Math.floor(random.next() * 2)) % REGIMES.length;
    const { drift, volatility } = REGIMES[regime]!;
    const season = intradaySeason(time);
    variance = GARCH_OMEGA + GARCH_ALPHA * lastShock ** 2 + GARCH_BETA * variance;
    const scale = volatility * Math.sqrt(season);
    let change = drift + Math.sqrt(variance) * scale * studentT4(random);
    if (random.next() < JUMP_PROBABILITY) change += JUMP_SIGMA * random.normal();
    lastShock = (change - drift) / scale;

    // A Brownian bridge from 0 to `change` gives the path inside the minute.
    const stepSigma = (Math.sqrt(variance) * scale) / Math.sqrt(SUBSTEPS);
    path[0] = 0;
    for (let i = 1; i <= SUBSTEPS; i++) path[i] = path[i - 1]! + stepSigma * random.normal();
    const miss = path[SUBSTEPS]! - change;
    let highest = -Infinity;
    let lowest = Infinity;
    let priceSum = 0;
    for (let i = 0; i <= SUBSTEPS; i++) {
      const pathPrice = Math.exp(logPrice + path[i]! - (i / SUBSTEPS) * miss);
      highest = Math.max(highest, pathPrice);
      lowest = Math.min(lowest, pathPrice);
      priceSum += pathPrice;
    }
    const vwap = priceSum / (SUBSTEPS + 1);

    const surprise = Math.abs(change) / (MEAN_SIGMA * 0.8);
    const volume = Math.max(0.001, round(MEAN_VOLUME * season * (0.3 + 0.7 * surprise) * Math.exp(0.35 * random.normal() - 0.06), 3));
    const buyShare = Math.min(0.98, Math.max(0.02, 0.5 + 0.35 * Math.tanh(change / (Math.sqrt(variance) * scale)) + 0.05 * random.normal()));
    const takerBuyBase = Math.min(volume, round(volume * buyShare, 3));
    const trades = 1 + Math.round(volume / (MEAN_TRADE_SIZE * Math.exp(0.2 * random.normal())));

    const row = Math.floor(minute / perCandle);
    const open = toTick(Math.exp(logPrice));
    logPrice += change;
    const close = toTick(Math.exp(logPrice));
    if (minute % perCandle === 0) {
      candles.openTime[row] = time;
      candles.open[row] = open;
      candles.high[row] = toTick(highest);
      candles.low[row] = toTick(lowest);
    } else {
      candles.high[row] = Math.max(candles.high[row]!, toTick(highest));
      candles.low[row] = Math.min(candles.low[row]!, toTick(lowest));
    }
    candles.close[row] = close;
    candles.volume[row] = round(candles.volume[row]! + volume, 3);
    candles.quoteVolume[row] = round(candles.quoteVolume[row]! + volume * vwap, 5);
    candles.trades[row] = candles.trades[row]! + trades;
    candles.takerBuyBase[row] = round(candles.takerBuyBase[row]! + takerBuyBase, 3);
    candles.takerBuyQuote[row] = round(candles.takerBuyQuote[row]! + takerBuyBase * vwap, 5);
  }

  return {
    candles,
    funding: {
      length: fundingTimes.length,
      fundingTime: Float64Array.from(fundingTimes),
      rate: Float64Array.from(fundingRates),
      markPrice: Float64Array.from(fundingMarks),
    },
  };
}

/**
 * Activity by time of day, U-shaped over the UTC day (busy around the day's turn, quiet mid-day),
 * normalised to a mean of 1. It scales volume, and variance too, as in real intraday data.
 */
export function intradaySeason(time: number): number {
  const dayFraction = (time % 86_400_000) / 86_400_000;
  return (0.55 + 3.6 * (dayFraction - 0.5) ** 2) / 0.85;
}

/** Student-t with 4 degrees of freedom scaled to unit variance (t(4) has variance 2): the fat-tailed shocks. */
function studentT4(random: Rng): number {
  // χ²(4) = −2·ln(U₁·U₂); 1 − next() is in (0, 1], so the logarithm is finite.
  const chiSquare4 = -2 * Math.log((1 - random.next()) * (1 - random.next()));
  return random.normal() / Math.sqrt(chiSquare4 / 4) / Math.SQRT2;
}

function validate(options: SyntheticOptions, stepMs: number): void {
  const { start, end, seed, price } = options;
  if (!Number.isSafeInteger(seed)) throw inputError('BAD_SEED', `seed must be an integer, not ${seed}`, { where: '--seed' });
  if (!(Number.isFinite(price) && price > 0)) {
    throw inputError('BAD_PRICE', `starting price must be a positive number, not ${price}`, { where: '--price' });
  }
  const offset = options.interval === '1w' ? WEEK_OFFSET_MS : 0;
  if (!Number.isSafeInteger(start) || (start - offset) % stepMs !== 0) {
    throw inputError('BAD_START', `start ${start} is not on a ${options.interval} candle boundary`, {
      where: '--start',
      hint: options.interval === '1w' ? 'weekly candles open on Mondays 00:00 UTC' : 'use a UTC date, or a time aligned to the interval',
    });
  }
  if (!(end - start >= stepMs)) {
    throw inputError('BAD_LENGTH', `the series must hold at least one ${options.interval} candle`, { where: '--days' });
  }
}

function emptyCandles(length: number): Required<CandleColumns> {
  return {
    length,
    openTime: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
    quoteVolume: new Float64Array(length),
    trades: new Float64Array(length),
    takerBuyBase: new Float64Array(length),
    takerBuyQuote: new Float64Array(length),
  };
}

/** Round to `decimals` places, landing on the double nearest the decimal (as a CSV would give it). */
function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
