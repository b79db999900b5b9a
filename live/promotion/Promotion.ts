import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { inputError } from '../../engine/index.ts';
import { RUN_ID_PATTERN } from '../../research/index.ts';
import type { RecordedModel } from './verifyModelFiles.ts';
import type { LiveTarget } from './promotedSettings.ts';

/** `pr-YYYYMMDD-HHMMSS-xxxx`, like run ids: sortable by time, 16 random bits against same-second collisions. */
export const PROMOTION_ID_PATTERN = /^pr-\d{8}-\d{6}-[0-9a-f]{4}$/;

export function newPromotionId(now: Date = new Date()): string {
  return `pr-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(2).toString('hex')}`;
}

/**
 * A promotion as `xylen promote` sends it to a running live process (`POST /config`) and as the promoted-config file
 * keeps it for the next start: which run, who, the run's data (checked against the live setup), the settings (the
 * promoted keys of the run's config, validated by the receiver) and the run's models with their resolved versions and
 * checksums (the receiver checks a model file against its recorded SHA-256 before using it).
 */
export interface Promotion {
  promotionId: string;
  runId: string;
  promotedBy: string;
  /** ISO time the promotion was made (by the promoting machine's clock). */
  promotedAt: string;
  target: LiveTarget;
  settings: Record<string, unknown>;
  models: RecordedModel[];
}

/** What the live process says about the promotion in force or waiting (GET /config, /status). */
export interface PromotionInfo {
  promotionId: string;
  runId: string;
  promotedBy: string;
  promotedAt: string;
  /** Decision-candle close time of the heartbeat it was applied at; absent while pending or when loaded at start. */
  appliedAt?: number;
  /** `promote`: applied while running; `start`: loaded from the promoted-config file at start. */
  via: 'promote' | 'start';
}

const name = z.string().min(1).max(200);
const promotionSchema = z.strictObject({
  promotionId: z.string().regex(PROMOTION_ID_PATTERN, 'a promotion id such as pr-20240514-093000-a1b2'),
  runId: z.string().regex(RUN_ID_PATTERN, 'a run id such as run-20240514-093000-a1b2'),
  promotedBy: name,
  promotedAt: z.iso.datetime(),
  target: z.strictObject({ market: name, symbol: name, decisionInterval: name, contextInterval: name }),
  settings: z.record(z.string(), z.unknown()),
  models: z.array(z.object({ name, kind: name, version: z.string().optional(), sha256: z.string().regex(/^[0-9a-f]{64}$/).optional() })),
});

/** Check a promotion that arrives from outside (an HTTP body, a file); every problem names its field. */
export function parsePromotion(value: unknown, where: string): Promotion {
  const parsed = promotionSchema.safeParse(value);
  if (parsed.success) return parsed.data as Promotion;
  const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
  throw inputError('PROMOTION_BAD_REQUEST', `not a promotion (${problems.join('; ')})`, { where, hint: 'promotions are made by `xylen promote RUN`' });
}

export function infoOf(p: Promotion, via: PromotionInfo['via'], appliedAt?: number): PromotionInfo {
  return { promotionId: p.promotionId, runId: p.runId, promotedBy: p.promotedBy, promotedAt: p.promotedAt, via, ...(appliedAt === undefined ? {} : { appliedAt }) };
}
