import type { Store } from '../../data/index.ts';
import { inputError } from '../../engine/index.ts';
import { getRun } from './storedRuns.ts';

export interface DeleteRunsOptions {
  /**
   * Also delete runs still marked running (a process that died leaves them so) and runs a sweep refers to (the
   * sweep keeps its results, without the link to the run).
   */
  force?: boolean;
}

export interface DeletedRuns {
  runIds: string[];
  /** Rows deleted per table (tables with none left out). */
  rows: Record<string, number>;
  /** Feature sets that no run refers to any more, deleted with their rows. */
  featureSets: number;
}

/** Tables with a run_id that only refer to a run; every other table with one holds a run's rows. */
const REFERRING_TABLES = new Set(['runs', 'promotions', 'sweep_results']);

/**
 * Delete runs and everything they journaled, in one transaction: every table with a `run_id` column (found in the
 * schema, so a journal table added later is not forgotten), then feature sets no run refers to any more. A run a
 * promotion was made from is never deleted: it is that promotion's evidence. A run still marked running, or one a
 * sweep refers to, needs `force`.
 */
export async function deleteRuns(store: Store, runIds: readonly string[], options: DeleteRunsOptions = {}): Promise<DeletedRuns> {
  const ids = [...new Set(runIds)];
  if (ids.length === 0) throw inputError('NO_RUNS', 'no run ids given', { hint: '`xylen runs ls` lists the stored runs' });
  const runs = [];
  for (const id of ids) runs.push(await getRun(store, id));
  const list = ids.map((_, i) => `$${i + 1}`).join(', ');

  const promoted = await store.all(`SELECT run_id, promotion_id FROM promotions WHERE run_id IN (${list}) ORDER BY promoted_at`, ids);
  if (promoted.length > 0) {
    const [first] = promoted;
    throw inputError('RUN_PROMOTED', `run ${first!['run_id']} was promoted to live (promotion ${first!['promotion_id']}) and is kept as its evidence`, {
      where: first!['run_id'] as string,
      hint: 'leave it out of the runs to delete',
    });
  }
  if (!options.force) {
    const running = runs.find((r) => r.status === 'running');
    if (running) {
      throw inputError('RUN_RUNNING', `run ${running.runId} is still marked running: a process may be writing it`, {
        where: running.runId,
        hint: 'if the process that ran it is gone (it was killed), --force deletes it',
      });
    }
    const swept = await store.all(`SELECT run_id, sweep_id, config_index FROM sweep_results WHERE run_id IN (${list}) ORDER BY sweep_id, config_index`, ids);
    if (swept.length > 0) {
      const [first] = swept;
      throw inputError('RUN_IN_SWEEP', `run ${first!['run_id']} is config ${first!['config_index']} of sweep ${first!['sweep_id']}`, {
        where: first!['run_id'] as string,
        hint: '--force deletes it; the sweep keeps its results, without the link to the run',
      });
    }
  }

  const tables = (
    await store.all(
      `SELECT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_catalog = c.table_catalog AND t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.column_name = 'run_id' AND t.table_type = 'BASE TABLE' AND c.table_catalog = current_database() AND c.table_schema = 'main'
       ORDER BY c.table_name`,
    )
  )
    .map((row) => row['table_name'] as string)
    .filter((table) => !REFERRING_TABLES.has(table));

  const rows: Record<string, number> = {};
  let featureSets = 0;
  await store.transaction(async (connection) => {
    for (const table of [...tables, 'runs']) {
      const deleted = (await connection.run(`DELETE FROM ${table} WHERE run_id IN (${list})`, ids)).rowsChanged;
      if (deleted > 0) rows[table] = deleted;
    }
    await connection.run(`UPDATE sweep_results SET run_id = NULL WHERE run_id IN (${list})`, ids);
    const orphans = `SELECT set_id FROM feature_sets WHERE set_id NOT IN (SELECT feature_set FROM runs WHERE feature_set IS NOT NULL)`;
    const setRows = (await connection.run(`DELETE FROM feature_rows WHERE set_id IN (${orphans})`)).rowsChanged;
    if (setRows > 0) rows['feature_rows'] = setRows;
    featureSets = (await connection.run(`DELETE FROM feature_sets WHERE set_id IN (${orphans})`)).rowsChanged;
  });
  // Blocks that held only deleted rows become free for later writes once checkpointed. Another writer's open
  // transaction (a journal of this process) makes DuckDB refuse; it checkpoints on its own later, so that is fine.
  await store.connection.run('CHECKPOINT').catch((error: unknown) => {
    if (!/other write transactions/.test(String(error))) throw error;
  });
  return { runIds: ids, rows, featureSets };
}
