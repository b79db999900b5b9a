import type { Command } from 'commander';
import { inputError } from '../../engine/index.ts';
import { codeVersion } from '../../research/journal/RunManifest.ts';
import { REPORT_KINDS, type ReportKind } from '../../research/report/reportKinds.ts';
import { checkReportPath, writeReportFile } from '../../research/report/writeReportFile.ts';
import { withStore } from '../context.ts';
import { parseInteger } from '../flags.ts';
import { printJson } from '../output.ts';
import { Progress } from '../Progress.ts';

interface ReportFlags {
  out?: string;
  kind?: string;
  by: string;
  n: string;
  partitions: string;
  x?: string;
  y?: string;
  metric?: string;
  horizon: string;
  json?: boolean;
}

/** `xylen report RUN|SWEEP|WALKFORWARD --out report.html`: one self-contained HTML file, from a read-only store. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write the HTML report of a run, sweep or walk-forward: one self-contained file with charts (no network, no script)')
    .argument('<target>', 'a run id (run-…), a sweep id (sw-…) or name, a walk-forward id (wf-…), or `latest`')
    .option('--out <file>', 'the HTML file to write; its directory must exist (default: ./<id>.html)')
    .option('--kind <kind>', `with \`latest\`: the newest ${REPORT_KINDS.join(' | ')} only`)
    .option('--by <metric>', 'sweeps: rank the results table by this metric', 'sharpe')
    .option('-n, --n <count>', 'sweeps: rows of the results table', '20')
    .option('--partitions <n>', 'sweeps: CSCV blocks for PBO (even, 2–24)', '16')
    .option('--x <key>', 'sweeps: heatmap column axis, a grid key (default: the key with the most values)')
    .option('--y <key>', 'sweeps: heatmap row axis, a grid key (default: the key with the next most values)')
    .option('--metric <metric>', 'sweeps: the heatmap colour (default: --by)')
    .option('--horizon <bars>', 'runs: decision bars ahead for the forward-move vote accuracy', '1')
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      `
A run's report: its metrics (as \`xylen runs show\`), equity and drawdown against buy-and-hold, monthly returns,
the trade distribution by side and exit reason, each model's vote accuracy, the risk events, and the manifest.
A sweep's: the best configurations with PSR and DSR, a parameter heatmap, PBO with the in-sample vs out-of-sample
scatter of its CSCV splits and the logit distribution (warned about above 0.5). A walk-forward's: per-fold metrics
and the stitched out-of-sample equity with the fold boundaries.

The file is static HTML with inline SVG charts (Observable Plot, rendered here): it opens from disk in any
browser, offline. Hover a mark for its exact value; tables carry exact values too. Times are UTC.

Examples:
  xylen report latest --out report.html
  xylen report run-20240514-093000-a1b2 --out runs/may.html
  xylen report grid --x ensemble.threshold --y risk.stop_loss_pct --metric total_return --out sweep.html`,
    )
    .action(async (target: string, flags: ReportFlags, command: Command) => {
      const kind = flags.kind === undefined ? undefined : reportKind(flags.kind);
      if (flags.out !== undefined) checkReportPath(flags.out);
      const n = parseInteger(flags.n, '--n', { min: 1, max: 10_000 });
      const partitions = parseInteger(flags.partitions, '--partitions', { min: 2, max: 24 });
      const horizon = parseInteger(flags.horizon, '--horizon', { min: 1, max: 100_000 });
      const code = codeVersion();
      const { buildReport } = await import('../../research/report/buildReport.ts'); // Observable Plot and linkedom: only for reports
      const progress = new Progress({ label: 'report', total: 2, unit: 'steps', quiet: flags.json === true });
      try {
        const report = await withStore(command, { readOnly: true }, (store) =>
          buildReport(store, target, {
            ...(kind ? { kind } : {}),
            generatedAt: new Date(),
            generator: `xylen ${code.version}${code.commit ? ` @ ${code.commit.slice(0, 10)}` : ''}`,
            run: { horizon },
            sweep: {
              by: flags.by,
              top: n,
              partitions,
              ...(flags.x !== undefined ? { x: flags.x } : {}),
              ...(flags.y !== undefined ? { y: flags.y } : {}),
              ...(flags.metric !== undefined ? { metric: flags.metric } : {}),
            },
          }),
        );
        progress.tick();
        const written = writeReportFile(flags.out ?? `${report.id}.html`, report.html);
        progress.tick();
        progress.stop();
        const summary = { kind: report.kind, id: report.id, path: written.path, bytes: written.bytes, charts: report.charts, loadMs: Math.round(report.loadMs), renderMs: Math.round(report.renderMs) };
        if (flags.json) return printJson(summary);
        process.stdout.write(
          `wrote ${written.path} (${(written.bytes / 1024).toFixed(0)} kB): ${report.kind} ${report.id}, ${report.charts} charts; read ${(report.loadMs / 1000).toFixed(2)} s, rendered ${(report.renderMs / 1000).toFixed(2)} s\n`,
        );
      } finally {
        progress.stop();
      }
    });
}

function reportKind(text: string): ReportKind {
  if ((REPORT_KINDS as readonly string[]).includes(text)) return text as ReportKind;
  throw inputError('BAD_CHOICE', `"${text}" is not one of ${REPORT_KINDS.join(', ')}`, { where: '--kind' });
}
