import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { XylenConfig } from '../../config/index.ts';
import { inputError } from '../../engine/index.ts';
import { parsePromotion, type Promotion } from './Promotion.ts';

/** The live journal file: `live.journal`, or live-<live.name>.duckdb beside the store. */
export function liveJournalPath(config: XylenConfig, storePath: string): string {
  return resolve(config.live.journal ?? join(dirname(resolve(storePath)), `live-${config.live.name}.duckdb`));
}

/**
 * Where the promotion in force is kept for the next start of `xylen live`: beside its journal,
 * `live-<name>.promoted.json`. The live process writes it when it accepts a promotion; `xylen promote` writes it when
 * no live process is running. It holds settings only (never a secret), so it is safe to read and to back up.
 */
export function promotedConfigPath(config: XylenConfig, storePath: string): string {
  return liveJournalPath(config, storePath).replace(/(\.duckdb)?$/, '.promoted.json');
}

export function readPromotedConfig(path: string): Promotion | undefined {
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw inputError('PROMOTED_CONFIG_INVALID', `not JSON: ${(error as Error).message}`, { where: path, hint: 'delete the file to start from xylen.yaml alone, or promote a run again' });
  }
  return parsePromotion(value, path);
}

/** Written whole or not at all (a temp file renamed over the old one), so a crash never leaves half a file. */
export function writePromotedConfig(path: string, promotion: Promotion): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(promotion, null, 2)}\n`, { mode: 0o644 });
  renameSync(temp, path);
}
