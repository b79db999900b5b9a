import { candleCount, type Market, type Store } from '../data/index.ts';
import { SYNTHETIC_MARKET } from '../data/synth/index.ts';

/**
 * The market a command works on when no --market was given: the config's, unless the store has no candles for it
 * but does have synthetic ones for the symbol (a store made by the demo replay or `xylen data synth`); then the
 * synthetic ones, saying so on stderr (also with --json: stdout stays clean) so they are never taken for market data.
 */
export async function chooseMarket(store: Store, configMarket: Market, symbol: string, doing: string): Promise<Market> {
  const count = (market: Market) => candleCount(store, market, symbol);
  if (configMarket === SYNTHETIC_MARKET || (await count(configMarket)) > 0 || (await count(SYNTHETIC_MARKET)) === 0) return configMarket;
  process.stderr.write(`No ${configMarket} candles for ${symbol}: ${doing} the SYNTHETIC candles (market 'synthetic') instead.\n`);
  return SYNTHETIC_MARKET;
}
