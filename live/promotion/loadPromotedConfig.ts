import type { XylenConfig } from '../../config/index.ts';
import { XylenError } from '../../engine/index.ts';
import { promotedConfigPath, readPromotedConfig } from './promotedConfigFile.ts';
import { checkSameTarget, promotedConfig, targetOf } from './promotedSettings.ts';
import { infoOf, type PromotionInfo } from './Promotion.ts';
import { verifyModelFiles } from './verifyModelFiles.ts';

/**
 * The config `xylen live` starts with: the file's, with the promoted settings of live-<name>.promoted.json in place of
 * its models, ensemble, sizing and risk when that file exists. The promotion is checked as on arrival (same symbol,
 * market and intervals as the file's config, schema, model files' SHA-256); a promotion that no longer fits stops the
 * start with an error naming the file, rather than trading something else than what was promoted.
 */
export async function loadPromotedConfig(config: XylenConfig, storePath: string): Promise<{ config: XylenConfig; promotion?: PromotionInfo; path: string }> {
  const path = promotedConfigPath(config, storePath);
  const promotion = readPromotedConfig(path);
  if (!promotion) return { config, path };
  try {
    checkSameTarget(targetOf(config), promotion.target, promotion.runId);
    const promoted = promotedConfig(config, promotion.settings, path);
    await verifyModelFiles(promoted.models, promotion.models, path);
    return { config: promoted, promotion: infoOf(promotion, 'start'), path };
  } catch (error) {
    if (!(error instanceof XylenError)) throw error;
    throw new XylenError(error.kind, error.code, `${path} (promotion ${promotion.promotionId}, run ${promotion.runId}): ${error.message}`, {
      ...(error.where ? { where: error.where } : {}),
      hint: `${error.hint ? `${error.hint}; or ` : ''}delete ${path} to start from the config file alone`,
    });
  }
}
