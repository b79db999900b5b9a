import { inputError } from '../../engine/index.ts';
import type { Store } from '../../data/index.ts';
import { getModel, type ModelRecord } from './ModelRecord.ts';

export interface ChampionChange {
  modelId: string;
  /** The champion now. */
  champion: number;
  /** The champion before, now retired (null when there was none). */
  previous: number | null;
}

/**
 * Make `version` the champion of `modelId`. The old champion becomes retired, not candidate: it has had its turn
 * and a candidate is a version still waiting to be judged; `rollback` brings it back, and so can a later promote.
 * Promoting the champion again is an error (nothing would change). `evidence` (any JSON value) is stored with the
 * event: what the promotion was decided on.
 */
export async function promote(store: Store, modelId: string, version: number, reason?: string, evidence?: unknown): Promise<ChampionChange> {
  const target = await getModel(store, modelId, version);
  const current = await championOf(store, modelId);
  if (current?.version === version) {
    throw inputError('MODEL_ALREADY_CHAMPION', `model "${modelId}" v${version} is already the champion`, { where: `${modelId} v${version}` });
  }
  await store.transaction(async () => {
    await setStatus(store, modelId, current?.version, 'retired');
    await setStatus(store, modelId, target.version, 'champion');
    await logEvent(store, modelId, 'promote', version, current?.version ?? null, reason, evidence);
  });
  return { modelId, champion: version, previous: current?.version ?? null };
}

/**
 * Put back the champion that the current one replaced (the current one becomes retired). Rollbacks stack: after
 * promoting v1, v2 and v3, one rollback gives v2 and a second v1. With no earlier champion it is an error.
 */
export async function rollback(store: Store, modelId: string, reason?: string): Promise<ChampionChange> {
  await getModel(store, modelId); // an unknown id fails here, listing the registered ones
  const history = await championHistory(store, modelId);
  const current = history.at(-1);
  const previous = history.at(-2);
  if (current === undefined || previous === undefined) {
    throw inputError('MODEL_NO_PREVIOUS_CHAMPION', `model "${modelId}" has no earlier champion to roll back to`, {
      where: modelId,
      hint: current === undefined ? `promote a version first: xylen models promote ${modelId} VERSION` : `v${current} is its first champion`,
    });
  }
  await store.transaction(async () => {
    await setStatus(store, modelId, current, 'retired');
    await setStatus(store, modelId, previous, 'champion');
    await logEvent(store, modelId, 'rollback', previous, current, reason);
  });
  return { modelId, champion: previous, previous: current };
}

/** The champions of `modelId` as a stack, oldest first, replayed from the event log (promote pushes, rollback pops). */
export async function championHistory(store: Store, modelId: string): Promise<number[]> {
  const events = await store.all(`SELECT event, version FROM model_events WHERE model_id = $1 ORDER BY seq`, [modelId]);
  const stack: number[] = [];
  for (const event of events) {
    if (event['event'] === 'promote') stack.push(Number(event['version']));
    else stack.pop();
  }
  return stack;
}

export interface ModelEvent {
  event: 'promote' | 'rollback';
  version: number;
  previousVersion: number | null;
  at: string;
  reason: string | null;
  /** What the promotion was decided on (the studio records its out-of-sample comparison), as stored JSON. */
  evidence: unknown;
}

/** The promote/rollback log of `modelId`, oldest first. */
export async function modelEvents(store: Store, modelId: string): Promise<ModelEvent[]> {
  const rows = await store.all(
    `SELECT event, version, previous_version, strftime(event_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS at, reason, evidence::VARCHAR AS evidence FROM model_events WHERE model_id = $1 ORDER BY seq`,
    [modelId],
  );
  return rows.map((row) => ({
    event: row['event'] as ModelEvent['event'],
    version: Number(row['version']),
    previousVersion: row['previous_version'] === null ? null : Number(row['previous_version']),
    at: String(row['at']),
    reason: row['reason'] === null ? null : String(row['reason']),
    evidence: row['evidence'] === null ? null : (JSON.parse(String(row['evidence'])) as unknown),
  }));
}

async function championOf(store: Store, modelId: string): Promise<ModelRecord | undefined> {
  const champion = await getModel(store, modelId);
  return champion.status === 'champion' ? champion : undefined;
}

async function setStatus(store: Store, modelId: string, version: number | undefined, status: ModelRecord['status']): Promise<void> {
  if (version === undefined) return;
  await store.connection.run(`UPDATE models SET status = $3 WHERE model_id = $1 AND version = $2`, [modelId, version, status]);
}

async function logEvent(
  store: Store,
  modelId: string,
  event: ModelEvent['event'],
  version: number,
  previous: number | null,
  reason: string | undefined,
  evidence?: unknown,
): Promise<void> {
  await store.connection.run(
    `INSERT INTO model_events (model_id, event, version, previous_version, event_at, reason, evidence) VALUES ($1, $2, $3, $4, now()::TIMESTAMP, $5, $6)`,
    [modelId, event, version, previous, reason ?? null, evidence === undefined ? null : JSON.stringify(evidence)],
  );
}
