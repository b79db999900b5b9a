import type { Command } from 'commander';
import { actionOfCode, inputError } from '../../engine/index.ts';
import { featureColumns, loadModel, readFeatureCsv } from '../../model-servers/index.ts';
import { formatTable, printJson } from '../output.ts';

interface PredictOptions {
  model: string;
  input: string;
  json?: boolean;
}

/** Registers `xylen model …` and returns the `model` command, so that other subcommands (train) can join it. */
export function registerModelCommands(program: Command): Command {
  const model = program.command('model').description('trained models: check a model file on your own rows');
  model
    .command('predict')
    .description("print a model's action, confidence and class probabilities for each row of a CSV (header = feature names)")
    .requiredOption('--model <path>', 'model file: .onnx, or XGBoost .json (with a <name>.card.json sidecar naming its features)')
    .requiredOption('--input <rows.csv>', 'CSV whose header names the model features (any order; other columns are ignored)')
    .option('--json', 'print a JSON array instead of a table')
    .action(async (options: PredictOptions) => {
      await predict(options);
    });
  return model;
}

async function predict(options: PredictOptions): Promise<void> {
  const runtime = await loadModel(options.model);
  try {
    const { card } = runtime;
    const csv = await readFeatureCsv(options.input);
    const columns = featureColumns(card.features, csv.names);
    const missing = card.features.filter((_, i) => columns[i] === -1);
    if (missing.length > 0) {
      throw inputError('MODEL_FEATURE_MISSING', `the CSV has no column for model feature(s) ${missing.join(', ')}`, {
        where: `${options.input}:1`,
        hint: `model "${card.id}" reads ${card.features.join(', ')}`,
      });
    }
    const ignored = csv.names.filter((name) => !card.features.includes(name));
    if (ignored.length > 0) process.stderr.write(`note: ignoring column(s) the model does not read: ${ignored.join(', ')}\n`);

    const width = card.features.length;
    const rows = new Float32Array(csv.rows * width);
    for (let r = 0; r < csv.rows; r++) {
      for (let c = 0; c < width; c++) rows[r * width + c] = csv.values[r * csv.names.length + columns[c]!]!;
    }
    const output = await runtime.predict(rows, csv.rows);
    const k = card.classes.length;
    const records = Array.from({ length: csv.rows }, (_, r) => ({
      row: r + 1,
      action: actionOfCode(output.action[r]!),
      confidence: output.confidence[r]!,
      probabilities: Object.fromEntries(card.classes.map((name, c) => [name, output.probabilities[r * k + c]!])),
    }));
    if (options.json) {
      printJson(records);
      return;
    }
    const round = (p: number) => Number(p.toFixed(6));
    const table = records.map(({ row, action, confidence, probabilities }) => ({
      row,
      action,
      confidence: round(confidence),
      ...Object.fromEntries(Object.entries(probabilities).map(([name, p]) => [`p_${name}`, round(p)])),
    }));
    process.stdout.write(`${card.id} v${card.version} (${card.kind}), ${csv.rows} row(s)\n${formatTable(table)}\n`);
  } finally {
    await runtime.close();
  }
}
