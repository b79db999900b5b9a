// Quality bar of issue 4: on held-out real data the GBDT's log-loss is within 2 % of XGBoost's with the same
// depth, trees and learning rate. XGBoost is Debian's python3-xgboost, run on the very CSV rows written here.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { logLoss, predictGbdt, trainGbdt } from './index.ts';
import { btcDataset, type LabelledRows } from './test/btcDataset.ts';

const SCRIPT = fileURLToPath(new URL('./test/xgboostReference.py', import.meta.url));
/** Debian's python3 comes first on PATH in CI; a pyenv shim may shadow it on a workstation. */
const PYTHON = ['python3', '/usr/bin/python3'].find((python) => spawnSync(python, ['-c', 'import xgboost']).status === 0);
const SHARED = { maxDepth: 4, rounds: 100, eta: 0.1, lambda: 1, minChildWeight: 1 };

function writeCsv(path: string, data: LabelledRows, width: number): void {
  const lines: string[] = [];
  for (let r = 0; r < data.rows; r++) lines.push([data.y[r], ...data.X.subarray(r * width, (r + 1) * width)].join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe('GBDT against XGBoost on real BTCUSDT data', () => {
  it('reaches a test log-loss within 2 % of XGBoost hist with the same depth, trees, eta, lambda and min_child_weight', (context) => {
    context.skip(PYTHON === undefined, 'python3 cannot import xgboost: apt-get install python3-xgboost (Debian) to run this comparison');
    const { width, train, test } = btcDataset();
    const dir = mkdtempSync(join(tmpdir(), 'xylen-xgb-'));
    writeCsv(join(dir, 'train.csv'), train, width);
    writeCsv(join(dir, 'test.csv'), test, width);
    const params = {
      objective: 'multi:softprob',
      num_class: 3,
      tree_method: 'hist',
      max_bin: 256,
      max_depth: SHARED.maxDepth,
      n_estimators: SHARED.rounds,
      eta: SHARED.eta,
      lambda: SHARED.lambda,
      min_child_weight: SHARED.minChildWeight,
      nthread: 2,
    };
    execFileSync(PYTHON!, [SCRIPT, dir, JSON.stringify(params)], { stdio: 'inherit' });
    const xgbProbabilities = readFileSync(join(dir, 'pred.csv'), 'utf8').trim().split(/[\n,]/).map(Number);
    expect(xgbProbabilities).toHaveLength(test.rows * 3);

    const model = trainGbdt(train.X, train.y, train.rows, width, SHARED);
    const ours = logLoss(predictGbdt(model, test.X, test.rows), test.y, test.rows, 3);
    const theirs = logLoss(xgbProbabilities, test.y, test.rows, 3);
    console.log(`test log-loss on ${test.rows} rows: xylen ${ours.toFixed(5)}, xgboost ${theirs.toFixed(5)} (${((ours / theirs - 1) * 100).toFixed(2)} %)`);
    expect(ours).toBeLessThanOrEqual(theirs * 1.02);
    // Two trainings of 100 rounds on 86k rows (XGBoost's included): ≈40 s alone on 2 cores, 55–85 s inside a full suite
    // on a shared machine, which the default 60 s does not always cover.
  }, 180_000);
});
