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
