/**
 * Training labels, one per decision row, as columns. NaN where the label is not known from the data given (its
 * horizon runs past the end), so a trainer drops those rows instead of learning from a truncated future.
 */
export interface Labels {
  /** The label: −1, 0 or +1 for triple-barrier labels, a log return for forward-return labels. */
  readonly label: Float64Array;
  /**
   * When the label became known (Unix ms): the close of the candle that resolved it. Walk-forward purging drops
   * training rows whose [decision time, label time] overlaps the test period.
   */
  readonly time: Float64Array;
  /** Simple return from the decision close to the price where the label resolved. */
  readonly realizedReturn: Float64Array;
}

export function emptyLabels(rows: number): Labels {
  return { label: new Float64Array(rows).fill(NaN), time: new Float64Array(rows).fill(NaN), realizedReturn: new Float64Array(rows).fill(NaN) };
}
