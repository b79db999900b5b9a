/** What trade statistics need of a closed trade (a journal 'trade' record has these). */
export interface ClosedTrade {
  /** Gross realized PnL, fees paid (positive) and funding (signed, negative when paid). */
  pnl: number;
  fees: number;
  funding: number;
}

export interface TradeStats {
  trades: number;
  /** Share of trades with a positive net PnL; null with no trades. */
  winRate: number | null;
  /** Sum of winning net PnL over the absolute sum of losing net PnL; null when there is no losing trade. */
  profitFactor: number | null;
  /** Mean net PnL per trade (quote currency); null with no trades. */
  expectancy: number | null;
  grossProfit: number;
  grossLoss: number;
}

/** Net PnL of a trade: what it did to the wallet. */
export const netPnl = (t: ClosedTrade): number => t.pnl - t.fees + t.funding;

export function tradeStats(trades: readonly ClosedTrade[]): TradeStats {
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  for (const trade of trades) {
    const net = netPnl(trade);
    if (net > 0) {
      wins++;
      grossProfit += net;
    } else grossLoss -= net;
  }
  const n = trades.length;
  return {
    trades: n,
    winRate: n > 0 ? wins / n : null,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    expectancy: n > 0 ? (grossProfit - grossLoss) / n : null,
    grossProfit,
    grossLoss,
  };
}
