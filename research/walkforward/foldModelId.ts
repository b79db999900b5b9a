/**
 * The registry id of a model a walk-forward trained for one fold: `<walk-forward id>-f<fold>-<zoo name>`, e.g.
 * `wf-20240514-093000-a1b2-f3-trend-gbdt`. Listings of the registry (`xylen models ls`, the studio's models page)
 * leave these out unless asked: a walk-forward trains four per fold, and they belong to its own page.
 */
export function foldModelId(walkforwardId: string, fold: number, name: string): string {
  return `${walkforwardId}-f${fold}-${name}`;
}

const FOLD_MODEL_ID = /^wf-\d{8}-\d{6}-[0-9a-f]{4}-f\d+-/;

export function isFoldModelId(modelId: string): boolean {
  return FOLD_MODEL_ID.test(modelId);
}
