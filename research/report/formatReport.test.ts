import { describe, expect, it } from 'vitest';
import { metricsFromJournal } from '../metrics/computeMetrics.ts';
import { BAR_MS, sampleJournal, sampleManifest } from '../test/sampleJournal.ts';
import { formatDuration } from './formatDuration.ts';
import { formatReport } from './formatReport.ts';

describe('formatReport', () => {
  const metrics = metricsFromJournal(sampleJournal(), { barMs: BAR_MS, firstClose: 42_000, lastClose: 42_300 });

  it('prints what was run and every metric with its unit, in UTC, saying how it annualises', () => {
    const text = formatReport(metrics, sampleManifest(), { runId: 'run-20240101-075000-abcd', kind: 'replay', status: 'complete', journalHash: 'f00d' });
    expect(text).toContain('Run run-20240101-075000-abcd (replay, complete)');
    expect(text).toContain('usdm BTCUSDT: 1m base, 5m decisions, 1h context');
    expect(text).toContain('2024-01-01 07:50:00Z → 2024-01-01 08:10:00Z (20m), 20 bars');
    expect(text).toContain('annualised on 365 days: 105,120 periods of 5m per year');
    expect(text).toMatch(/Total return\s+0\.44 %\s+buy & hold 0\.71 %/); // 44.3525 / 10,000; 300 / 42,000
    expect(text).toMatch(/Fees paid\s+4\.23 USDT/);
    expect(text).toMatch(/Funding paid\s+0\.42 USDT/);
    expect(text).toMatch(/Profit factor\s+n\/a\s+no losing trade/);
    expect(text).toMatch(/Exposure\s+50\.00 %/);
    expect(text).toContain('Journal hash    f00d');
    expect(text).toContain('macd@1');
    expect(text).toMatch(/CAGR\s+\S+e\+\d+ %\s+extrapolated from 15m/);
    expect(text).toMatch(/Max drawdown\s+0\.00 %/);
    expect(text).not.toMatch(/NaN|undefined|Infinity|-0\.00/);
  });

  it('lists the risk rules that fired and says when a shutdown halted trading', () => {
    const halted = { ts: Date.UTC(2024, 0, 1, 8, 5), rule: 'DRAWDOWN_SHUTDOWN' as const, effect: 'HALTED' as const, reason: 'drawdown 21 % ≥ 20 %', values: { drawdown: 0.21 } };
    const paused = { ...halted, ts: Date.UTC(2024, 0, 1, 8, 0), rule: 'CONSECUTIVE_LOSSES' as const, effect: 'PAUSED' as const };
    const withRisk = metricsFromJournal(
      [...sampleJournal(), { type: 'risk', ts: paused.ts, event: paused }, { type: 'risk', ts: halted.ts, event: halted }],
      { barMs: BAR_MS, firstClose: 42_000, lastClose: 42_300 },
    );
    expect(withRisk.riskEvents['CONSECUTIVE_LOSSES']).toEqual({ count: 1, effect: 'PAUSED', first: paused.ts });
    expect(withRisk.riskEvents['DRAWDOWN_SHUTDOWN']).toEqual({ count: 1, effect: 'HALTED', first: halted.ts });
    const counted = (m: typeof metrics) => Object.values(m.riskEvents).reduce((sum, e) => sum + e.count, 0);
    expect(counted(metrics)).toBe(sampleJournal().filter((r) => r.type === 'risk').length);
    expect(counted(withRisk)).toBe(counted(metrics) + 2);
    const text = formatReport(withRisk, sampleManifest());
    expect(text).toContain('Risk rules that fired');
    expect(text).toMatch(/CONSECUTIVE_LOSSES\s+1×\s+PAUSED, first 2024-01-01 08:00:00Z/);
    expect(text).toMatch(/DRAWDOWN_SHUTDOWN\s+1×\s+HALTED trading from 2024-01-01 08:05:00Z: no new positions after that/);
  });

  it('says when funding was a configured constant', () => {
    const manifest = { ...sampleManifest(), funding: { source: 'constant' as const, rate: 0.0001 } };
    expect(formatReport(metrics, manifest)).toContain('constant 0.0100 % per 8h (no stored rates for this period)');
  });

  it('right-aligns the values of metric lines on one column', () => {
    const lines = formatReport(metrics, sampleManifest()).split('\n').filter((l) => /^ {2}(Sharpe|Sortino|Calmar|Trades|Win rate|Fees paid) /.test(l));
    expect(lines.length).toBe(6);
    const valueEnd = 2 + 16 + 16;
    for (const line of lines) {
      expect(line[valueEnd - 1], line).not.toBe(' ');
      expect(line[valueEnd] ?? ' ', line).toBe(' ');
    }
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(3 * 3_600_000 + 20 * 60_000 + 5_000)).toBe('3h 20m');
    expect(formatDuration(62 * 86_400_000 + 3 * 3_600_000)).toBe('62d 3h');
    expect(formatDuration(2 * 86_400_000 + 59_000)).toBe('2d');
  });
});
