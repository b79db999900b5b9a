import { loadConfig, type XylenConfig } from '../../../../config/index.ts';
import type { StudioSettings } from './studioSettings.ts';

/** The config the studio works with (the one `xylen studio` was given, ./xylen.yaml, or the defaults). */
export function studioConfig(settings: StudioSettings): Promise<XylenConfig> {
  return loadConfig(settings.configPath, { required: settings.configPath !== undefined });
}
