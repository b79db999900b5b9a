import { timestampText, type Store } from '../../data/index.ts';
import { canonicalJson } from '../../research/index.ts';

/** A row of `promotions` (migration 7): one per promotion made by `xylen promote`; never updated. */
export interface PromotionRecord {
  promotionId: string;
  promotedAt: Date;
  promotedBy: string;
  runId: string;
  /** `live.name` of the live setup it was made for. */
  liveName: string;
  /** `running`: accepted by a running live process (applied at its next heartbeat); `next-start`: none was running. */
  delivery: 'running' | 'next-start';
  liveUrl: string | null;
  /** The promoted settings (models with pinned versions, ensemble, sizing, risk). */
  config: unknown;
  /** The run's models as its manifest recorded them (versions, SHA-256). */
  models: unknown;
  /** The settings it replaced, and the promotion they came from (null: the live config file's own). */
  previousConfig: unknown;
  previousPromotionId: string | null;
  /** What it was decided on: the run's metrics, and DSR/PSR/PBO when it came from a sweep. */
  evidence: unknown;
}

export async function insertPromotion(store: Store, r: PromotionRecord): Promise<void> {
  await store.connection.run(
    `INSERT INTO promotions VALUES ($1, $2::TIMESTAMP, $3, $4, $5, $6, $7, $8::JSON, $9::JSON, $10::JSON, $11, $12::JSON)`,
    [
      r.promotionId,
      timestampText(r.promotedAt),
      r.promotedBy,
      r.runId,
      r.liveName,
      r.delivery,
      r.liveUrl,
      canonicalJson(r.config),
      canonicalJson(r.models),
      canonicalJson(r.previousConfig),
      r.previousPromotionId,
      canonicalJson(r.evidence),
    ],
  );
}

/** Promotions, newest first; only those made for `liveName` when given. */
export async function listPromotions(store: Store, liveName?: string): Promise<PromotionRecord[]> {
  const rows = await store.all(
    `SELECT promotion_id, promoted_at::VARCHAR AS promoted_at, promoted_by, run_id, live_name, delivery, live_url, config::VARCHAR AS config,
       models::VARCHAR AS models, previous_config::VARCHAR AS previous_config, previous_promotion_id, evidence::VARCHAR AS evidence
     FROM promotions ${liveName === undefined ? '' : 'WHERE live_name = $1'} ORDER BY promoted_at DESC, promotion_id DESC`,
    liveName === undefined ? [] : [liveName],
  );
  return rows.map((row) => ({
    promotionId: row['promotion_id'] as string,
    promotedAt: new Date(`${String(row['promoted_at']).replace(' ', 'T')}Z`),
    promotedBy: row['promoted_by'] as string,
    runId: row['run_id'] as string,
    liveName: row['live_name'] as string,
    delivery: row['delivery'] as PromotionRecord['delivery'],
    liveUrl: row['live_url'] as string | null,
    config: JSON.parse(row['config'] as string) as unknown,
    models: JSON.parse(row['models'] as string) as unknown,
    previousConfig: JSON.parse(row['previous_config'] as string) as unknown,
    previousPromotionId: row['previous_promotion_id'] as string | null,
    evidence: JSON.parse(row['evidence'] as string) as unknown,
  }));
}
