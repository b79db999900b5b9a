import type { ModelRecord } from '../../../../model-servers/registry/index.ts';

/**
 * Until when a registered version's data was used: the registry keeps the training split's range, but the validation
 * (early stopping) and test splits follow it in time, each after every label of the one before is known
 * (model-servers/zoo/trainingSet.ts). So the last data it saw ends about (validation + test rows + 3 label horizons)
 * decision bars after `trainingTo`: a comparison period must start after that to be out of sample. Approximate
 * (gaps in the data would make it later, never earlier); null when the record does not say.
 */
export function modelDataUsedTo(record: ModelRecord, barMs: number): number | null {
  if (record.trainingTo === null) return null;
  const metrics = record.trainingMetrics ?? {};
  const horizon = typeof record.label?.['horizon'] === 'number' ? record.label['horizon'] : 0;
  const rows = (metrics['validationRows'] ?? 0) + (metrics['testRows'] ?? 0) + 3 * horizon;
  return record.trainingTo + rows * barMs;
}
