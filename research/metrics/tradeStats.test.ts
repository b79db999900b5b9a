import { describe, expect, it } from 'vitest';
import { netPnl, tradeStats } from './tradeStats.ts';

describe('tradeStats', () => {
  it('scores trades by net PnL after fees and funding (worked by hand)', () => {
    const trades = [
      { pnl: 110, fees: 8, funding: -2 }, // +100
      { pnl: -45, fees: 4, funding: -1 }, // −50
      { pnl: 28, fees: 2, funding: 4 }, // +30 (funding received)
      { pnl: 3, fees: 3, funding: 0 }, // 0: not a win
    ];
    expect(trades.map(netPnl)).toEqual([100, -50, 30, 0]);
    expect(tradeStats(trades)).toEqual({ trades: 4, winRate: 0.5, profitFactor: 130 / 50, expectancy: 80 / 4, grossProfit: 130, grossLoss: 50 });
  });

  it('leaves undefined ratios null', () => {
    expect(tradeStats([])).toEqual({ trades: 0, winRate: null, profitFactor: null, expectancy: null, grossProfit: 0, grossLoss: 0 });
    expect(tradeStats([{ pnl: 10, fees: 1, funding: 0 }]).profitFactor).toBeNull();
  });
});
