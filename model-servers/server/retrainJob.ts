import { inputError } from '../../engine/index.ts';
import type { ModelClass } from '../ModelCard.ts';
import { fitOnSamples, MIN_RETRAIN_SAMPLES, type LabelledSample } from '../retrain/index.ts';
import { accuracy, logLoss, saveOnnx, type GbdtParams, type LogregParams, type TrainedModelCard } from '../train/index.ts';

/** Everything a retrain needs, as plain data: it crosses into a worker thread. */
export interface RetrainJob {
  samplesPath: string;
  /** The retrain may use the first `through` sample lines (those on disk when it started) … */
  through: number;
  /** … and of those, the last `window`. */
  window: number;
  id: string;
  features: string[];
  classes: ModelClass[];
  trainer: 'gbdt' | 'logreg';
  gbdt?: Omit<GbdtParams, 'classes' | 'validation'>;
  logreg?: Omit<LogregParams, 'classes'>;
  version: number;
  parent?: number;
  /** The claimed model file to write (with its card beside it). */
  path: string;
  createdAt: string;
}

/** Held-out rows the serving model is scored on, so that the registry can compare parent and child. */
export interface HeldOutRows {
  X: Float32Array;
  y: Uint8Array;
  rows: number;
}

export interface RetrainResult {
  card: TrainedModelCard;
  samples: { read: number; used: number; withoutFeatures: number; missingValues: number; otherLabel: number };
}


interface Sample {
  ts: number;
  label: string;
  features?: Record<string, number | null>;
}

/**
 * Retrain from a server's samples: each posted trade outcome's feature row (the features the client sent for that
 * decision) and its label (the direction that would have been right). Samples without features, with a missing
 * value, or with a label the model has no class for are skipped and counted. The usable ones, in decision-time
 * order, split 70 / 15 / 15 into training, validation (early stopping) and test rows; the test rows score both the
 * new model and the serving one (`scoreParent`), and the figures go into the card and so into the registry.
 * Writes the model to `job.path` (ONNX + card) and returns its card. Runs in a worker thread (retrainInWorker).
 */
export async function runRetrainJob(job: RetrainJob, lines: readonly string[], scoreParent: (rows: HeldOutRows) => Promise<Float64Array | null>): Promise<RetrainResult> {
  const width = job.features.length;
  const classOf = new Map(job.classes.map((c, i) => [c as string, i]));
  const chosen = lines.slice(Math.max(0, Math.min(lines.length, job.through) - job.window), job.through);
  const counts = { read: chosen.length, used: 0, withoutFeatures: 0, missingValues: 0, otherLabel: 0 };
  const kept: LabelledSample[] = [];
  for (const line of chosen) {
    let sample: Sample;
    try {
      sample = JSON.parse(line) as Sample;
    } catch {
      counts.withoutFeatures++;
      continue;
    }
    const y = classOf.get(sample.label);
    if (y === undefined) {
      counts.otherLabel++;
      continue;
    }
    const given = sample.features;
    if (!given || job.features.some((f) => !Object.hasOwn(given, f))) {
      counts.withoutFeatures++;
      continue;
    }
    const x = Float32Array.from(job.features, (f) => (typeof given[f] === 'number' ? given[f] : Number.NaN));
    if (x.some((v) => !Number.isFinite(v))) {
      counts.missingValues++;
      continue;
    }
    kept.push({ ts: sample.ts, x, y });
  }
  counts.used = kept.length;
  if (kept.length < MIN_RETRAIN_SAMPLES) {
    throw inputError('RETRAIN_TOO_FEW_SAMPLES', `only ${kept.length} of ${counts.read} samples can train "${job.id}" (at least ${MIN_RETRAIN_SAMPLES}): ${counts.withoutFeatures} without its features, ${counts.missingValues} with a missing value, ${counts.otherLabel} with a label outside ${job.classes.join('/')}`, {
      where: job.samplesPath,
      hint: 'post outcomes with the features of their decision (HttpModelClient does); the old model keeps serving',
    });
  }
  const { model, train, validation, test, predict: predictRows } = fitOnSamples(kept, {
    id: job.id,
    where: job.samplesPath,
    classes: job.classes,
    width,
    trainer: job.trainer,
    ...(job.gbdt ? { gbdt: job.gbdt } : {}),
    ...(job.logreg ? { logreg: job.logreg } : {}),
  });
  const parentScore = scoreParent(test);
  const k = job.classes.length;
  const predict = (rows: HeldOutRows) => predictRows(rows.X, rows.rows);
  const testP = predict(test);
  const parentP = await parentScore;
  const metrics: TrainedModelCard['training']['metrics'] = {
    logLoss: logLoss(testP, test.y, test.rows, k),
    accuracy: accuracy(testP, test.y, test.rows, k),
    baselineLogLoss: priorLogLoss(train.y, test.y, k),
    ...(parentP && parentP.length === test.rows * k ? { parentLogLoss: logLoss(parentP, test.y, test.rows, k), parentAccuracy: accuracy(parentP, test.y, test.rows, k) } : {}),
    validationLogLoss: logLoss(predict(validation), validation.y, validation.rows, k),
    samples: counts.used,
    validationRows: validation.rows,
    testRows: test.rows,
    ...(model.kind === 'gbdt' ? { rounds: model.rounds } : { iterations: model.iterations }),
  };
  const card: TrainedModelCard = {
    id: job.id,
    version: job.version,
    kind: model.kind,
    features: [...job.features],
    classes: [...job.classes],
    createdAt: job.createdAt,
    ...(job.parent === undefined ? {} : { parent: job.parent }),
    training: { from: train.from, to: train.to, rows: train.rows, metrics },
    label: { kind: 'trade-outcome', samples: job.samplesPath },
  };
  await saveOnnx(model, job.path, card);
  return { card, samples: counts };
}

/** Log-loss of always answering the training class shares (smoothed): what a model must beat to know anything. */
function priorLogLoss(trainY: Uint8Array, testY: Uint8Array, classes: number): number {
  const share = new Float64Array(classes).fill(1);
  for (const y of trainY) share[y]!++;
  const total = trainY.length + classes;
  const p = new Float64Array(testY.length * classes);
  for (let r = 0; r < testY.length; r++) for (let c = 0; c < classes; c++) p[r * classes + c] = share[c]! / total;
  return logLoss(p, testY, testY.length, classes);
}
