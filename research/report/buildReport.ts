import type { Store } from '../../data/index.ts';
import { inputError, operationalError, XylenError } from '../../engine/index.ts';
import { RUN_ID_PATTERN } from '../journal/runId.ts';
import { getSweep, SWEEP_ID_PATTERN } from '../sweep/sweepTables.ts';
import { WALKFORWARD_ID_PATTERN } from '../walkforward/walkforwardTables.ts';
import { loadRunReport, type RunReportOptions } from './loadRunReport.ts';
import { loadSweepReport, type SweepReportOptions } from './loadSweepReport.ts';
import { loadWalkforwardReport } from './loadWalkforwardReport.ts';
import { runReportHtml, type ReportFooter } from './runReportHtml.ts';
import { sweepReportHtml } from './sweepReportHtml.ts';
import { walkforwardReportHtml } from './walkforwardReportHtml.ts';
import type { ReportKind } from './reportKinds.ts';

export { REPORT_KINDS, type ReportKind } from './reportKinds.ts';

export interface BuildReportOptions extends ReportFooter {
  /** Restrict `latest` (and check an id) to one kind. */
  kind?: ReportKind;
  run?: RunReportOptions;
  sweep?: SweepReportOptions;
}

export interface BuiltReport {
  kind: ReportKind;
  id: string;
  html: string;
  /** Charts (inline SVG figures) in the page. */
  charts: number;
  /** Time to read the store and to render, ms. */
  loadMs: number;
  renderMs: number;
}

/**
 * Build the HTML report of a stored run, sweep or walk-forward. `target` is a run id (`run-…`), a sweep id (`sw-…`)
 * or name, a walk-forward id (`wf-…`), or `latest`: the newest finished one (of `kind`, when given).
 * The store may (and should) be open read-only.
 */
export async function buildReport(store: Store, target: string, options: BuildReportOptions = {}): Promise<BuiltReport> {
  const { kind, id } = target === 'latest' ? await latest(store, options.kind) : await resolve(store, target, options.kind);
  const footer: ReportFooter = { ...(options.generatedAt ? { generatedAt: options.generatedAt } : {}), ...(options.generator ? { generator: options.generator } : {}) };
  if (kind !== 'sweep' && options.sweep && (options.sweep.x !== undefined || options.sweep.y !== undefined || options.sweep.metric !== undefined)) {
    throw inputError('CONFLICTING_FLAGS', `--x, --y and --metric choose a sweep report's heatmap; ${id} is a ${kind === 'run' ? 'run' : 'walk-forward'}`, { where: '--x/--y/--metric', hint: 'leave them out, or name a sweep' });
  }
  const loadStarted = performance.now();
  let html: string;
  let loadMs: number;
  let renderStarted: number;
  if (kind === 'run') {
    const data = await loadRunReport(store, id, options.run);
    loadMs = performance.now() - loadStarted;
    renderStarted = performance.now();
    html = runReportHtml(data, footer);
  } else if (kind === 'sweep') {
    const data = await loadSweepReport(store, id, options.sweep);
    loadMs = performance.now() - loadStarted;
    renderStarted = performance.now();
    html = sweepReportHtml(data, footer);
  } else {
    const data = await loadWalkforwardReport(store, id);
    loadMs = performance.now() - loadStarted;
    renderStarted = performance.now();
    html = walkforwardReportHtml(data, footer);
  }
  const renderMs = performance.now() - renderStarted;
  return { kind, id, html, charts: (html.match(/<figure class="chart"/g) ?? []).length, loadMs, renderMs };
}

async function resolve(store: Store, target: string, kind: ReportKind | undefined): Promise<{ kind: ReportKind; id: string }> {
  const found: ReportKind | null = RUN_ID_PATTERN.test(target) ? 'run' : SWEEP_ID_PATTERN.test(target) ? 'sweep' : WALKFORWARD_ID_PATTERN.test(target) ? 'walkforward' : null;
  if (found !== null) {
    if (kind !== undefined && kind !== found) {
      throw inputError('CONFLICTING_FLAGS', `${target} is a ${found} id, not a ${kind}`, { where: '--kind', hint: `leave out --kind, or name a ${kind}` });
    }
    return { kind: found, id: target };
  }
  // Anything else may be a sweep's name.
  if (kind === undefined || kind === 'sweep') {
    try {
      return { kind: 'sweep', id: (await getSweep(store, target)).sweepId };
    } catch (error) {
      if (!(error instanceof XylenError) || error.code !== 'SWEEP_NOT_FOUND') throw error;
    }
  }
  throw inputError('REPORT_TARGET_UNKNOWN', `"${target}" is not a run, sweep or walk-forward in ${store.path}`, {
    where: 'TARGET',
    hint: 'give a run id (run-20240514-093000-a1b2, `xylen runs ls`), a sweep id or name (sw-0123456789ab, `xylen sweep ls`), a walk-forward id (wf-20240514-093000-a1b2, `xylen walkforward ls`), or `latest`',
  });
}

/** The newest finished run, sweep with results, or complete walk-forward (of one kind when asked). */
async function latest(store: Store, kind: ReportKind | undefined): Promise<{ kind: ReportKind; id: string }> {
  const parts: string[] = [];
  if (kind === undefined || kind === 'run') parts.push(`SELECT 'run' AS kind, run_id AS id, created_at AS created FROM runs WHERE status = 'complete'`);
  if (kind === undefined || kind === 'sweep') parts.push(`SELECT 'sweep' AS kind, sweep_id AS id, created_at AS created FROM sweeps s WHERE EXISTS (SELECT 1 FROM sweep_results r WHERE r.sweep_id = s.sweep_id)`);
  if (kind === undefined || kind === 'walkforward') parts.push(`SELECT 'walkforward' AS kind, wf_id AS id, created_at AS created FROM walkforwards WHERE status = 'complete'`);
  const rows = await store.all(`SELECT kind, id FROM (${parts.join(' UNION ALL ')}) ORDER BY created DESC, id DESC LIMIT 1`);
  if (rows.length === 0) {
    const what = kind === undefined ? 'finished run, sweep or walk-forward' : kind === 'run' ? 'finished run' : kind === 'sweep' ? 'sweep with results' : 'finished walk-forward';
    throw operationalError('REPORT_NOTHING_STORED', `no ${what} in ${store.path}`, { hint: 'replay one first (`xylen replay`), or point --db at the store that holds it' });
  }
  return { kind: rows[0]!['kind'] as ReportKind, id: String(rows[0]!['id']) };
}
