import { operationalError } from '../../engine/index.ts';
import { describeProblem, importCandleColumns, importFundingColumns, type FileImportResult } from '../import/index.ts';
import { sliceCandles } from '../CandleColumns.ts';
import type { Store } from '../Store.ts';
import { generateSynthetic, type SyntheticOptions } from './generateSynthetic.ts';

export interface ImportSyntheticOptions extends SyntheticOptions {
  symbol: string;
}

export interface ImportSyntheticResult {
  /** `synth:seed=N`: what the `imports` log records as the source. */
  source: string;
  candles: FileImportResult;
  funding: FileImportResult;
}

/** The market synthetic series are stored under, so they are never mistaken for Binance data. */
export const SYNTHETIC_MARKET = 'synthetic';

/** Candles per import (30 days of 1m), so a long series shows progress and logs month-sized imports. */
const CHUNK = 43_200;

/**
 * Generate a synthetic series and store it in market 'synthetic' through the importers (format
 * 'synthetic', source `synth:seed=N`), in chunks of 30 days of 1m; `onProgress` counts candles
 * stored. Re-running with the same options changes nothing; another seed over stored candles is
 * refused rather than mixed in.
 */
export async function importSynthetic(
  store: Store,
  options: ImportSyntheticOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportSyntheticResult> {
  const { candles, funding } = generateSynthetic(options);
  const source = `synth:seed=${options.seed}`;
  const meta = { market: SYNTHETIC_MARKET, symbol: options.symbol, source, format: 'synthetic' } as const;
  const results: FileImportResult[] = [];
  onProgress?.(0, candles.length);
  for (let start = 0; start < candles.length; start += CHUNK) {
    const chunk = sliceCandles(candles, start, Math.min(candles.length, start + CHUNK));
    results.push(accepted(await importCandleColumns(store, chunk, { ...meta, interval: options.interval }), options));
    onProgress?.(start + chunk.length, candles.length);
  }
  const fundingResult = accepted(await importFundingColumns(store, funding, meta), options);
  return { source, candles: combine(results), funding: fundingResult };
}

/** The chunks' results as one: rows and rows added summed, the whole time range, 'imported' if any chunk was. */
function combine(results: FileImportResult[]): FileImportResult {
  const first = results[0]!;
  return {
    ...first,
    status: results.some((r) => r.status === 'imported') ? 'imported' : 'unchanged',
    rows: results.reduce((sum, r) => sum + r.rows, 0),
    rowsAdded: results.reduce((sum, r) => sum + r.rowsAdded, 0),
    lastTime: results.at(-1)!.lastTime,
    notes: results.flatMap((r) => r.notes),
  };
}

function accepted(result: FileImportResult, options: ImportSyntheticOptions): FileImportResult {
  if (result.status !== 'rejected') return result;
  const problems = result.problems.slice(0, 3).map((p) => describeProblem(result.source, p));
  throw operationalError('SYNTH_CONFLICT', `the store refused the synthetic ${result.dataset ?? 'rows'}:\n  ${problems.join('\n  ')}`, {
    hint: `the store already holds other synthetic ${options.symbol} data for this range (another seed or price?); use another --symbol, --start or --db`,
  });
}
