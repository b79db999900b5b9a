import { maskSecrets } from '../../../../config/index.ts';
import type { Store } from '../../../../data/index.ts';
import { XylenError } from '../../../../engine/index.ts';
import { getWalkforward, loadWalkforwardReport, type RunMetrics, type StoredWalkforward, type WalkforwardReportData } from '../../../../research/index.ts';

/** The walk-forward page's data: research/report's WalkforwardReportData, with plain times and the config masked. */
export interface WalkforwardView extends Omit<WalkforwardReportData, 'wf' | 'metrics'> {
  wf: Omit<StoredWalkforward, 'createdAt' | 'finishedAt'> & { createdAt: number; finishedAt: number | null };
  /** Metrics of the stitched out-of-sample records (null until it is complete; `equity` is empty until then too). */
  metrics: RunMetrics | null;
}

/**
 * A walk-forward as research/report's loadWalkforwardReport reads it (folds, stitched equity condensed in DuckDB to
 * ≤ 1,000 points per chart). One still running or failed has no stitched metrics: its folds so far are shown.
 */
export async function walkforwardPage(store: Store, wfId: string): Promise<WalkforwardView> {
  try {
    const data = await loadWalkforwardReport(store, wfId, { maxPoints: 1000 });
    return { ...data, wf: plain(data.wf) };
  } catch (error) {
    if (!(error instanceof XylenError && (error.code === 'WALKFORWARD_NOT_FINISHED' || error.code === 'WALKFORWARD_FAILED'))) throw error;
    const { folds, equity: _equity, ...wf } = await getWalkforward(store, wfId);
    return { wf: plain(wf), metrics: null, folds, equity: [], equityRows: 0, bucketMs: 0 };
  }
}

function plain(wf: StoredWalkforward): WalkforwardView['wf'] {
  // The stored config is the effective one: its exchange keys and alert token never reach the page.
  return { ...wf, config: maskSecrets(wf.config), createdAt: wf.createdAt.getTime(), finishedAt: wf.finishedAt?.getTime() ?? null };
}
