import { XylenError } from '../../engine/index.ts';
import type { FundingColumns, Market } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';
import { loadFunding } from './loadCandles.ts';

/** Funding in [from, to); none when the store has no funding for the symbol at all (synthetic data never has). */
export async function loadFundingIfStored(store: Store, market: Market, symbol: string, from: number, to: number): Promise<FundingColumns> {
  try {
    return await loadFunding(store, { market, symbol }, { from, to });
  } catch (error) {
    if (error instanceof XylenError && error.code === 'SERIES_NOT_STORED') return { length: 0, fundingTime: new Float64Array(0), rate: new Float64Array(0) };
    throw error;
  }
}
