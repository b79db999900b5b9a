/**
 * One base candle as the simulated broker sees it when it closes. The replay reuses one object for every bar,
 * so the broker never keeps a reference to it. The mark fields come from Binance's mark-price candles when they
 * are stored; without them the trade prices stand in for the mark (liquidation then triggers on the trade
 * low/high, which is a little harsher than the smoother mark).
 */
export interface BrokerBar {
  openTime: number;
  /** When the bar closed, Unix ms: every event the bar causes is stamped with it. */
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume (BTC), for the participation cap and the impact term. */
  volume: number;
  markHigh?: number;
  markLow?: number;
  markClose?: number;
}
