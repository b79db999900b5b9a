import { canonicalNumber } from '../canonicalNumber.ts';
import { intervalMs } from '../Interval.ts';
import { formatTime } from '../UnixMs.ts';
import { invariantError } from '../XylenError.ts';
import type { CandleLike } from './CandleColumnsLike.ts';
import { checkCandle } from './checkCandle.ts';
import { ContextFeatures } from './ContextFeatures.ts';
import { DECISION_FEATURES, DecisionFeatures } from './DecisionFeatures.ts';
import { DEFAULT_FEATURE_SPEC, featureNames, type FeatureSpec } from './FeatureSpec.ts';

export interface FeatureEngineOptions extends Partial<FeatureSpec> {
  /** Whether context candles are fed (default true); must match whether `computeFeatures` got them. */
  withContext?: boolean;
}

/**
 * Incremental form of `computeFeatures` for live use: feed closed candles one by one and get, at each decision
 * candle, the same row the batch form gives for it (bit for bit).
 *
 * Feed both streams in close-time order, a context candle before a decision candle that closes at the same
 * instant (the 5m bar closing at 10:00 sees the hour closing at 10:00). Anything else would make the live row
 * differ from the replayed one, so it is an invariant error, not a silent difference.
 */
export class FeatureEngine {
  readonly names: readonly string[];
  readonly width: number;
  /** The latest row; overwritten by the next `addDecision`, so copy it to keep it. */
  readonly row: Float64Array;
  private readonly decisionMs: number;
  private readonly contextMs: number;
  private readonly decision = new DecisionFeatures();
  private readonly context: ContextFeatures | undefined;
  private readonly contextRow: Float64Array;
  private decisionOpen = -Infinity;
  private contextOpen = -Infinity;
  private decisionClose = -Infinity;
  private contextClose = -Infinity;

  constructor(options: FeatureEngineOptions = {}) {
    const { decisionInterval, contextInterval } = { ...DEFAULT_FEATURE_SPEC, ...options };
    const withContext = options.withContext ?? true;
    this.names = featureNames(withContext);
    this.width = this.names.length;
    this.row = new Float64Array(this.width).fill(NaN);
    this.decisionMs = intervalMs(decisionInterval);
    this.contextMs = intervalMs(contextInterval);
    this.context = withContext ? new ContextFeatures() : undefined;
    this.contextRow = new Float64Array(this.width - DECISION_FEATURES.length).fill(NaN);
  }

  /** A closed context candle (e.g. 1h). */
  addContext(candle: CandleLike): void {
    if (!this.context) throw invariantError('FEATURE_STREAM', 'this FeatureEngine was made without context candles');
    checkCandle('context', this.contextOpen, candle);
    const close = candle.openTime + this.contextMs;
    if (close <= this.decisionClose) {
      throw invariantError(
        'FEATURE_STREAM_ORDER',
        `context candle closing ${formatTime(close)} arrived after the decision candle closing ${formatTime(this.decisionClose)}`,
        { hint: 'feed candles in close-time order, context first when both close at the same instant' },
      );
    }
    this.context.update(candle, this.contextRow, 0);
    this.contextOpen = candle.openTime;
    this.contextClose = close;
  }

  /** A closed decision candle (e.g. 5m): returns its feature row (the shared `row` buffer). */
  addDecision(candle: CandleLike): Float64Array {
    checkCandle('decision', this.decisionOpen, candle);
    const close = candle.openTime + this.decisionMs;
    if (close < this.contextClose) {
      throw invariantError(
        'FEATURE_STREAM_ORDER',
        `decision candle closing ${formatTime(close)} arrived after the context candle closing ${formatTime(this.contextClose)}`,
        { hint: 'feed candles in close-time order, context first when both close at the same instant' },
      );
    }
    this.decision.update(candle, this.row, 0);
    if (this.context) this.row.set(this.contextRow, DECISION_FEATURES.length);
    for (let c = 0; c < this.width; c++) this.row[c] = canonicalNumber(this.row[c]!);
    this.decisionOpen = candle.openTime;
    this.decisionClose = close;
    return this.row;
  }

  /** Close time of the latest decision candle: the instant `row` became known. */
  get time(): number {
    return this.decisionClose;
  }

  /** True once every feature of the row has left its warm-up. */
  get isStable(): boolean {
    return this.row.every(Number.isFinite);
  }
}
