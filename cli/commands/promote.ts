import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { formatTime, intervalMs, inputError, type Interval } from '../../engine/index.ts';
import type { PromotionPlan, RunEvidence } from '../../live/index.ts';
import { resolveConfig, resolveDbPath, withStore } from '../context.ts';
import { formatTable, printJson } from '../output.ts';

interface PromoteFlags {
  live?: string;
  yes?: boolean;
  by?: string;
  wait?: boolean;
  json?: boolean;
  history?: boolean;
}

/** `xylen promote RUN`: make a stored run's models and settings the live configuration (live/promotion). */
export function registerPromoteCommand(program: Command): void {
  program
    .command('promote')
    .description("make a stored run's models (with their versions) and ensemble, sizing and risk settings the live configuration; a running `xylen live` applies it at its next heartbeat")
    .argument('[run]', 'run id (`xylen runs ls`; `xylen sweep top` shows the runs a sweep journaled)')
    .option('--live <url>', 'control API of the running live process (default: http://127.0.0.1:<live.control_port>; when nothing answers there, the promotion is kept for the next `xylen live` start)')
    .option('--yes', 'do not ask for confirmation (the evidence is still printed)')
    .option('--by <name>', 'who promotes, as recorded (default: the OS user)')
    .option('--wait', 'wait until the running live process has applied it (its next heartbeat)')
    .option('--json', 'print the plan and the outcome as JSON (needs --yes)')
    .option('--history', 'list the recorded promotions instead, newest first')
    .addHelpText(
      'after',
      `
A promotion takes the run's models, ensemble, sizing and risk; the live config keeps everything else (exchange
and its keys, alerts, live.*, dry_run/testnet, timing, the paper fill model). It is refused, changing nothing, when
the run was made on another symbol, market or decision/context interval, when the result fails the config schema,
or when a model file is not the one the run used (SHA-256). The live process needs its token
(live.control_token_env, default XYLEN_LIVE_TOKEN) in the environment.

Examples:
  xylen promote run-20240514-093000-a1b2                 # show the evidence, ask, promote
  xylen promote run-20240514-093000-a1b2 --yes --wait    # no question; return once the live process applied it
  xylen promote --history                                # who promoted what, when, replacing what`,
    )
    .action(async (runId: string | undefined, flags: PromoteFlags, command: Command) => {
      const { executePromotion, listPromotions, planPromotion, waitApplied } = await import('../../live/index.ts');
      if (flags.history) {
        const rows = await withStore(command, { readOnly: true }, (store) => listPromotions(store));
        if (flags.json) return printJson(rows);
        process.stdout.write(`${formatTable(rows.map((r) => ({ promotion: r.promotionId, 'when (UTC)': formatTime(r.promotedAt.getTime()), by: r.promotedBy, run: r.runId, live: r.liveName, delivery: r.delivery, replaced: r.previousPromotionId ?? '(config file)' })))}\n`);
        return;
      }
      if (!runId) throw inputError('RUN_MISSING', 'which run? give its id', { where: 'RUN', hint: '`xylen runs ls` lists the stored runs' });
      if (flags.json && !flags.yes) throw inputError('CONFIRMATION_NEEDED', '--json cannot ask for confirmation', { where: '--json', hint: 'add --yes' });
      const localConfig = await resolveConfig(command);
      const storePath = await resolveDbPath(command);
      const promotedBy = flags.by ?? currentUser();
      const plan = await planPromotion({ storePath, runId, localConfig, promotedBy, ...(flags.live ? { liveUrl: flags.live } : {}) });
      if (!flags.json) process.stdout.write(describePlan(plan));
      if (!flags.yes) await confirm(plan);
      const outcome = await executePromotion(plan, { storePath, localConfig });
      let appliedAt: number | undefined;
      if (flags.wait && outcome.status === 'pending') {
        const heartbeatMs = intervalMs(plan.promotion.target.decisionInterval as Interval);
        if (!flags.json) process.stderr.write(`waiting for the live process's next heartbeat (every ${plan.promotion.target.decisionInterval})…\n`);
        appliedAt = await waitApplied(plan.liveUrl, outcome.promotionId, 2 * heartbeatMs + 60_000);
      }
      if (flags.json) return printJson({ ...outcome, ...(appliedAt === undefined ? {} : { appliedAt }), plan });
      process.stdout.write(
        outcome.status === 'pending'
          ? appliedAt === undefined
            ? `promoted: ${outcome.promotionId} accepted by the live process at ${plan.liveUrl}; it applies at its next heartbeat (\`xylen live status\` shows it)\n`
            : `promoted: ${outcome.promotionId} applied by the live process at the heartbeat closing ${formatTime(appliedAt)}\n`
          : `promoted: ${outcome.promotionId} recorded; no live process answered at ${plan.liveUrl}, so \`xylen live\` starts with it next time (kept in ${plan.keptAt})\n`,
      );
    });
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown';
  }
}

async function confirm(plan: PromotionPlan): Promise<void> {
  if (!process.stdin.isTTY) {
    throw inputError('CONFIRMATION_NEEDED', 'not promoted: there is no terminal to ask for confirmation', { hint: 'read the evidence above and rerun with --yes' });
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const where = plan.delivery === 'running' ? `the live process at ${plan.liveUrl}` : `the next start of \`xylen live\` (${plan.liveName})`;
    const answer = await rl.question(`Promote ${plan.evidence.runId} to ${where}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw inputError('PROMOTION_DECLINED', 'not promoted: nothing changed');
  } finally {
    rl.close();
  }
}

const pct = (v: number | null | undefined) => (v == null ? '—' : `${(v * 100).toFixed(2)} %`);
const num = (v: number | null | undefined, digits = 2) => (v == null ? '—' : v.toFixed(digits));

/** The evidence and what would change, as the user reads it before saying yes. */
export function describePlan(plan: PromotionPlan): string {
  const e: RunEvidence = plan.evidence;
  const m = e.metrics;
  const lines = [
    `Run ${e.runId} (${e.kind}, ${e.status}, stored ${e.createdAt.replace('T', ' ').slice(0, 19)} UTC)`,
    `  data       ${e.data.market} ${e.data.symbol}, decisions every ${e.data.decisionInterval} with ${e.data.contextInterval} context, ${formatTime(e.data.from)} → ${formatTime(e.data.to)} (${e.data.bars.toLocaleString('en-US')} bars)`,
    `  return     ${pct(m?.totalReturn)} (buy and hold ${pct(m?.buyAndHoldReturn)}), CAGR ${pct(m?.cagr)}`,
    `  risk       Sharpe ${num(m?.sharpe)}, Sortino ${num(m?.sortino)}, max drawdown ${pct(m?.maxDrawdown)}`,
    `  trades     ${m?.trades ?? 0}, win rate ${pct(m?.winRate)}, profit factor ${num(m?.profitFactor)}`,
  ];
  if (e.sweep) {
    lines.push(
      `  sweep      ${e.sweep.name} (${e.sweep.sweepId}): rank ${e.sweep.rank} of ${e.sweep.trials} by Sharpe, DSR ${num(e.sweep.dsr, 3)}, PSR ${num(e.sweep.psr, 3)}, PBO ${num(e.sweep.pbo, 3)}`,
    );
  } else {
    lines.push('  sweep      not from a sweep: no DSR (the run is one trial; judge it with that in mind)');
  }
  lines.push('  models');
  for (const model of e.models) lines.push(`    ${model.name.padEnd(20)} ${model.kind.padEnd(8)} ${model.version ?? ''}${model.sha256 ? ` sha256 ${model.sha256.slice(0, 12)}…` : ''}`);
  const target = plan.delivery === 'running' ? `live process at ${plan.liveUrl} (${plan.liveName})` : `next start of live "${plan.liveName}" (no live process answered at ${plan.liveUrl})`;
  lines.push(`Replaces on the ${target}: ${plan.previous.promotionId ?? 'the config file\'s settings'}`);
  for (const change of plan.changes) lines.push(`  ${change}`);
  for (const warning of plan.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}
