export { configSchema } from './schema.ts';
export type { XylenConfig, XylenConfigInput } from './schema.ts';
export { loadConfig, parseConfig, DEFAULT_CONFIG_PATH } from './loadConfig.ts';
export type { LoadConfigOptions } from './loadConfig.ts';
export { allowedKeys, allKeyPaths } from './schemaKeys.ts';
export { maskSecrets } from './maskSecrets.ts';
export { readInputFile } from './readInputFile.ts';
export { editDistance } from './editDistance.ts';
