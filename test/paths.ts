import { fileURLToPath } from 'node:url';

/**
 * ../shared beside the repository: real Binance data and model fixtures. Tests and benchmarks read
 * them from there and never copy them into the project.
 */
export const SHARED_DIR = fileURLToPath(new URL('../../shared/', import.meta.url));
export const SHARED_DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
export const SHARED_MODELS = fileURLToPath(new URL('../../shared/fixtures/models/', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
