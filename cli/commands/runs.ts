import type { Command } from 'commander';
import { formatTime } from '../../engine/index.ts';
import { deleteRuns } from '../../research/journal/deleteRuns.ts';
import { exportRunCsv } from '../../research/journal/exportRunCsv.ts';
import { getRun, listRuns, runIdOf, type StoredRun } from '../../research/journal/storedRuns.ts';
import { formatReport } from '../../research/report/formatReport.ts';
import { withStore } from '../context.ts';
import { cellDay, cellPercent, cellRound, formatTable, printJson } from '../output.ts';

/** `xylen runs ls|show|export|rm`: stored runs; all but `rm` read-only (they can run beside a replay writing elsewhere, or a studio). */
export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('stored runs: list them, show one (manifest and report), export its journal as CSV, delete them');

  runs
    .command('ls')
    .description('list the stored runs, newest first')
    .option('--json', 'print the list as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const stored = await withStore(command, { readOnly: true }, listRuns);
      if (options.json) return printJson(stored.map(summary));
      process.stdout.write(`${formatTable(stored.map(tableRow))}\n`);
    });

  runs
    .command('show')
    .description("print a run's manifest and report")
    .argument('<run>', 'run id (`xylen runs ls` lists them), or `latest`: the newest complete run')
    .option('--json', 'print the run (manifest, metrics, hash, timings) as one JSON object')
    .action(async (target: string, options: { json?: boolean }, command: Command) => {
      const run = await withStore(command, { readOnly: true }, async (store) => getRun(store, await runIdOf(store, target)));
      if (options.json) return printJson(run);
      process.stdout.write(describeRun(run));
    });

  runs
    .command('export')
    .description("write a run's journal as CSV files, one per table: decisions with every model's vote, orders, fills, funding, risk events, trades, equity, snapshots")
    .argument('<run>', 'run id (`xylen runs ls` lists them), or `latest`: the newest complete run')
    .requiredOption('--csv <dir>', 'directory for the CSV files (created if missing; files of the same name are replaced)')
    .option('--json', 'print what was written as JSON')
    .action(async (target: string, options: { csv: string; json?: boolean }, command: Command) => {
      const { runId, files } = await withStore(command, { readOnly: true }, async (store) => {
        const runId = await runIdOf(store, target);
        return { runId, files: await exportRunCsv(store, runId, options.csv) };
      });
      if (options.json) return printJson({ runId, files });
      process.stdout.write(`${formatTable(files.map((f) => ({ table: f.table, rows: f.rows, file: f.file })))}\n`);
    });

  runs
    .command('rm')
    .description('delete runs and everything they journaled, and the feature sets no run uses any more')
    .argument('<run...>', 'run ids (`xylen runs ls` lists them)')
    .option('--force', 'also delete runs still marked running (their process was killed) and runs a sweep refers to')
    .option('--json', 'print what was deleted as JSON')
    .addHelpText(
      'after',
      [
        '',
        'One transaction: all the runs go, or none. A run a promotion was made from is never deleted (it is the',
        "promotion's evidence). DuckDB reuses the freed space for later writes; the file shrinks only by what was",
        'freed at its end.',
      ].join('\n'),
    )
    .action(async (runIds: string[], options: { force?: boolean; json?: boolean }, command: Command) => {
      const deleted = await withStore(command, { readOnly: false }, (store) => deleteRuns(store, runIds, { force: options.force ?? false }));
      if (options.json) return printJson(deleted);
      const rows = Object.entries(deleted.rows).filter(([table]) => table !== 'runs');
      const total = rows.reduce((sum, [, n]) => sum + n, 0);
      const sets = deleted.featureSets === 0 ? '' : `, and ${deleted.featureSets} feature set${deleted.featureSets === 1 ? '' : 's'} no run uses any more`;
      process.stdout.write(`deleted ${deleted.runIds.length} run${deleted.runIds.length === 1 ? '' : 's'} (${total.toLocaleString('en-US')} rows in ${rows.length} tables)${sets}\n`);
    });
}

function summary(run: StoredRun) {
  return {
    runId: run.runId,
    createdAt: run.createdAt.toISOString(),
    kind: run.kind,
    status: run.status,
    symbol: run.manifest.data.symbol,
    from: run.manifest.data.from,
    to: run.manifest.data.to,
    totalReturn: run.metrics?.totalReturn ?? null,
    sharpe: run.metrics?.sharpe ?? null,
    trades: run.metrics?.trades ?? null,
    journalHash: run.journalHash,
  };
}


function tableRow(run: StoredRun): Record<string, unknown> {
  return {
    run: run.runId,
    'created (UTC)': formatTime(run.createdAt.getTime()),
    kind: run.kind,
    status: run.status,
    symbol: run.manifest.data.symbol,
    range: `${cellDay(run.manifest.data.from)} → ${cellDay(run.manifest.data.to)}`,
    'return %': cellPercent(run.metrics?.totalReturn),
    sharpe: cellRound(run.metrics?.sharpe),
    trades: run.metrics?.trades ?? null,
  };
}

function describeRun(run: StoredRun): string {
  const header = { runId: run.runId, kind: run.kind, status: run.status, journalHash: run.journalHash, elapsedMs: run.elapsedMs };
  if (run.metrics) return formatReport(run.metrics, run.manifest, header);
  const why = run.status === 'failed' ? `failed: ${run.message ?? 'no reason recorded'}` : 'still running, or stopped before it finished';
  return `Run ${run.runId} (${run.kind}, ${run.status}): no report — ${why}; ${run.records ?? 0} records journaled\n`;
}
