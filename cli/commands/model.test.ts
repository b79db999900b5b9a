import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_MODELS } from '../../test/paths.ts';
import { runXylen } from '../../test/runXylen.ts';

const xylenModel = (args: string[]) => runXylen(args);

const fixture = (name: string) => join(SHARED_MODELS, name);
const expectedRows = async (name: string) =>
  (await readFile(fixture(name), 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').map(Number));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xylen-model-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('xylen model predict', () => {
  it("--json prints per row the action, confidence and PyTorch's own probabilities by class", async () => {
    const { code, stdout } = await xylenModel(['model', 'predict', '--model', fixture('torch_mlp.onnx'), '--input', fixture('torch_mlp.inputs.csv'), '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { row: number; action: string; confidence: number; probabilities: Record<string, number> }[];
    const expected = await expectedRows('torch_mlp.expected.csv');
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, r) => {
      const [short, hold, long] = expected[r]!;
      expect(Math.abs(row.probabilities['short']! - short!)).toBeLessThan(1e-5);
      expect(Math.abs(row.probabilities['hold']! - hold!)).toBeLessThan(1e-5);
      expect(Math.abs(row.probabilities['long']! - long!)).toBeLessThan(1e-5);
      expect(row.action).toBe(['short', 'hold', 'long'][expected[r]!.indexOf(Math.max(...expected[r]!))]);
      expect(row.confidence).toBe(Math.max(...Object.values(row.probabilities)));
    });
  });

  it('prints an aligned table, reads columns in any order and notes the ones it ignores', async () => {
    // The inputs with columns reversed and one extra column; an XGBoost model with its sidecar card.
    const [header, ...lines] = (await readFile(fixture('xgb_softprob.inputs.csv'), 'utf8')).trim().split('\n');
    const reorder = (line: string) => [...line.split(',').reverse(), '42'].join(',');
    await writeFile(join(dir, 'rows.csv'), [reorder(header!).replace(/42$/, 'comment'), ...lines.map(reorder)].join('\n'));
    await copyFile(fixture('xgb_softprob.json'), join(dir, 'xgb.json'));
    await writeFile(join(dir, 'xgb.card.json'), JSON.stringify({ features: header!.split(',') }));
    const { code, stdout, stderr } = await xylenModel(['model', 'predict', '--model', join(dir, 'xgb.json'), '--input', join(dir, 'rows.csv')]);
    expect(code).toBe(0);
    expect(stderr).toContain('ignoring column(s) the model does not read: comment');
    const table = stdout.trim().split('\n');
    expect(table[1]).toMatch(/^row\s+action\s+confidence\s+p_short\s+p_hold\s+p_long$/);
    expect(table).toHaveLength(3 + lines.length);
    const expected = await expectedRows('xgb_softprob.expected.csv');
    table.slice(3).forEach((line, r) => {
      const [, , , short] = line.trim().split(/\s+/);
      expect(Math.abs(Number(short) - expected[r]![0]!)).toBeLessThan(1e-5);
    });
  });

  it('a feature missing from the CSV is exit 2 naming it; so is a cell that is not a number', async () => {
    const [header, ...lines] = (await readFile(fixture('torch_mlp.inputs.csv'), 'utf8')).trim().split('\n');
    const drop = (line: string) => line.split(',').slice(0, -1).join(',');
    await writeFile(join(dir, 'short.csv'), [header!, ...lines].map(drop).join('\n'));
    const missing = await xylenModel(['model', 'predict', '--model', fixture('torch_mlp.onnx'), '--input', join(dir, 'short.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('MODEL_FEATURE_MISSING');
    expect(missing.stderr).toContain('atr_pct');
    await writeFile(join(dir, 'bad.csv'), [header!, lines[0]!, lines[1]!.replace(/^[^,]+/, 'abc')].join('\n'));
    const bad = await xylenModel(['model', 'predict', '--model', fixture('torch_mlp.onnx'), '--input', join(dir, 'bad.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${join(dir, 'bad.csv')}:3`);
  });
});
