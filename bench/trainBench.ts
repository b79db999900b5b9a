// Times the TypeScript GBDT trainer at the size: 100 rounds of depth-6 trees, 3 classes, on 200,000 × 10
// rows, one thread (the trainer is single-threaded JavaScript). Also the logistic-regression trainer on the same rows.
import { trainGbdt, trainLogreg } from '../model-servers/train/index.ts';
import { syntheticClasses } from '../model-servers/train/test/syntheticClasses.ts';

const ROWS = 200_000;
const WIDTH = 10;
const ROUNDS = 100;

export async function run(): Promise<void> {
  const { X, y } = syntheticClasses(ROWS, WIDTH, 7);
  const t0 = performance.now();
  const model = trainGbdt(X, y, ROWS, WIDTH, { rounds: ROUNDS, maxDepth: 6, eta: 0.3 });
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `trainGbdt: ${ROWS} × ${WIDTH}, ${model.classes} classes, ${ROUNDS} rounds of depth 6 (${model.trees.length} trees): ${seconds.toFixed(2)} s, ` +
      `${((seconds * 1000) / ROUNDS).toFixed(1)} ms per round, ${((seconds * 1000) / model.trees.length).toFixed(1)} ms per tree (target ≤ 15 s)`,
  );
  const t1 = performance.now();
  const logreg = trainLogreg(X, y, ROWS, WIDTH);
  console.log(`trainLogreg: ${ROWS} × ${WIDTH}, ${logreg.iterations} L-BFGS iterations: ${((performance.now() - t1) / 1000).toFixed(2)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
