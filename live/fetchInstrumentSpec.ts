import { inputError, type InstrumentSpec } from '../engine/index.ts';

/**
 * The symbol's filters as the exchange publishes them (`GET /fapi/v1/exchangeInfo`: PRICE_FILTER tickSize,
 * LOT_SIZE stepSize/minQty/maxQty, MIN_NOTIONAL notional): live orders must meet the venue's current grid, which
 * may differ from the built-in table the replay uses.
 */
export async function fetchInstrumentSpec(restUrl: string, symbol: string): Promise<InstrumentSpec> {
  let response: Response;
  try {
    response = await fetch(`${restUrl}/fapi/v1/exchangeInfo`, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw inputError('EXCHANGE_UNREACHABLE', `cannot reach ${restUrl}: ${(error as Error).message}`, { where: 'exchange.base_url', hint: 'is the exchange (or xylen exchange-sim) running at that address?' });
  }
  if (!response.ok) throw inputError('EXCHANGE_UNREACHABLE', `GET ${restUrl}/fapi/v1/exchangeInfo answered ${response.status}`, { where: 'exchange.base_url' });
  const info = (await response.json()) as { symbols?: { symbol: string; filters: Record<string, string>[] }[] };
  const entry = info.symbols?.find((s) => s.symbol === symbol);
  if (!entry) throw inputError('BAD_SYMBOL', `the exchange at ${restUrl} does not list ${symbol}`, { where: 'symbol' });
  const filter = (type: string) => entry.filters.find((f) => f['filterType'] === type) ?? {};
  const required = (text: string | undefined, field: string) => {
    if (text === undefined) throw inputError('BAD_EXCHANGE_INFO', `exchangeInfo of ${symbol} has no ${field}`);
    return text;
  };
  return {
    symbol,
    tickSize: required(filter('PRICE_FILTER')['tickSize'], 'PRICE_FILTER.tickSize'),
    stepSize: required(filter('LOT_SIZE')['stepSize'], 'LOT_SIZE.stepSize'),
    minQty: required(filter('LOT_SIZE')['minQty'], 'LOT_SIZE.minQty'),
    maxQty: required(filter('LOT_SIZE')['maxQty'], 'LOT_SIZE.maxQty'),
    minNotional: required(filter('MIN_NOTIONAL')['notional'], 'MIN_NOTIONAL.notional'),
  };
}
