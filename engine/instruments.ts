import type { InstrumentSpec } from './Instrument.ts';
import { BTCUSDT_PERP } from './Instrument.ts';

/** Filters of the USDⓈ-M perpetuals Xylen ships data for (exchangeInfo, 2025). Live mode reads them from the exchange instead. */
const SPECS: Record<string, InstrumentSpec> = {
  BTCUSDT: BTCUSDT_PERP,
  ETHUSDT: { symbol: 'ETHUSDT', tickSize: '0.01', stepSize: '0.001', minQty: '0.001', maxQty: '10000', minNotional: '20' },
};

/**
 * The instrument spec for a symbol; an unknown symbol gets fine-grained generic filters (tick 0.0001, step 0.001,
 * min notional 5) and `known: false`, which the replay report states.
 */
export function instrumentSpecFor(symbol: string): { spec: InstrumentSpec; known: boolean } {
  const spec = SPECS[symbol];
  if (spec) return { spec, known: true };
  return { spec: { symbol, tickSize: '0.0001', stepSize: '0.001', minQty: '0.001', maxQty: '1000000', minNotional: '5' }, known: false };
}
