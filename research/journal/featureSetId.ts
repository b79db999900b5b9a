import { createHash } from 'node:crypto';
import type { FeatureMatrix } from '../../engine/index.ts';

/**
 * The content id of a feature matrix: SHA-256 over its feature names, shape, row times and values (as stored in
 * memory). Two replays of the same period with the same feature set get the same id, so the store keeps one copy.
 */
export function featureSetId(matrix: FeatureMatrix): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ names: matrix.names, rows: matrix.rows, width: matrix.width }));
  hash.update(new Uint8Array(matrix.time.buffer, matrix.time.byteOffset, matrix.rows * 8));
  hash.update(new Uint8Array(matrix.values.buffer, matrix.values.byteOffset, matrix.rows * matrix.width * 8));
  return `fs-${hash.digest('hex').slice(0, 32)}`;
}
