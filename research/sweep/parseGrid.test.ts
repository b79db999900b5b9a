import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/index.ts';
import { XylenError } from '../../engine/index.ts';
import { configHash, expandGrid } from './expandGrid.ts';
import { parseGrid } from './parseGrid.ts';

const base = configSchema.parse({ market: 'synthetic' });

function errorOf(work: () => unknown): XylenError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(XylenError);
    return error as XylenError;
  }
  throw new Error('expected an error');
}

describe('grid files', () => {
  it('reads lists, ranges, samples and model sets, each with its line', () => {
    const grid = parseGrid(
      [
        '# a comment',
        'ensemble.method: [weighted_vote, majority]',
        'ensemble.threshold: {from: 0.3, to: 0.6, step: 0.1}',
        'risk.leverage: {sample: 4, seed: 9, dist: int, min: 1, max: 10}',
        'models: [[momentum, rsi], [rsi, momentum, macd_cross]]',
        'risk.stop_loss_pct: 0.015',
      ].join('\n'),
      'g.yaml',
    );
    expect(grid.axes.map((a) => [a.key, a.line])).toEqual([
      ['ensemble.method', 2],
      ['ensemble.threshold', 3],
      ['risk.leverage', 4],
      ['models', 5],
      ['risk.stop_loss_pct', 6],
    ]);
    expect(grid.axes[0]!.values).toEqual(['weighted_vote', 'majority']);
    // Rounded to the decimals written: 0.1 steps give 0.3, not 0.30000000000000004.
    expect(grid.axes[1]!.values).toEqual([0.3, 0.4, 0.5, 0.6]);
    const leverage = grid.axes[2]!.values as number[];
    expect(leverage).toHaveLength(4);
    for (const v of leverage) expect(Number.isInteger(v) && v >= 1 && v <= 10).toBe(true);
    // Model sets are sets: sorted, so the same set written in another order is the same configuration.
    expect(grid.axes[3]!.values).toEqual([
      ['momentum', 'rsi'],
      ['macd_cross', 'momentum', 'rsi'],
    ]);
    expect(grid.axes[4]!.values).toEqual([0.015]);
  });

  it('draws the same samples for the same seed and others for another seed', () => {
    const draw = (seed: number) => parseGrid(`risk.stop_loss_pct: {sample: 5, seed: ${seed}, min: 0.01, max: 0.03}`, 'g.yaml').axes[0]!.values;
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    for (const v of draw(3) as number[]) expect(v >= 0.01 && v <= 0.03).toBe(true);
    const logs = parseGrid('risk.take_profit_pct: {sample: 50, seed: 1, dist: log_uniform, min: 0.001, max: 1, decimals: 5}', 'g.yaml').axes[0]!.values as number[];
    for (const v of logs) expect(v >= 0.001 && v <= 1 && Number(v.toFixed(5)) === v).toBe(true);
    const choice = parseGrid('ensemble.method: {sample: 6, seed: 2, values: [majority, weighted_vote]}', 'g.yaml').axes[0]!.values;
    expect(choice.every((v) => v === 'majority' || v === 'weighted_vote')).toBe(true);
  });

  it('property: a range holds every step from `from` to `to`, both included', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 9 }), (start, steps, stepTenths) => {
        const from = start / 10;
        const step = stepTenths / 10;
        const to = Number((from + steps * step).toFixed(1));
        const values = parseGrid(`risk.atr_stop_mult: {from: ${from}, to: ${to}, step: ${step}}`, 'g.yaml').axes[0]!.values as number[];
        expect(values).toHaveLength(steps + 1);
        expect(values[0]).toBe(from);
        expect(values.at(-1)).toBe(to);
        values.slice(1).forEach((v, i) => expect(v - values[i]!).toBeCloseTo(step, 12));
      }),
    );
  });

  it('names the file, line and key of an unknown key, with a guess', () => {
    const error = errorOf(() => parseGrid('ensemble.method: [majority]\nrisk.stop_los_pct: [0.01, 0.02]\n', 'grids/a.yaml'));
    expect(error.code).toBe('GRID_UNKNOWN_KEY');
    expect(error.where).toBe('grids/a.yaml:2');
    expect(error.message).toContain('"risk.stop_los_pct"');
    expect(error.message).toContain('did you mean "risk.stop_loss_pct"');
    expect(error.exitCode).toBe(2);
  });

  it('refuses keys a sweep cannot vary, duplicates, empty lists and bad ranges, each at its line', () => {
    expect(errorOf(() => parseGrid('symbol: [BTCUSDT, ETHUSDT]', 'g.yaml'))).toMatchObject({ code: 'GRID_FIXED_KEY', where: 'g.yaml:1' });
    const duplicate = errorOf(() => parseGrid('risk.leverage: [2]\nrisk.leverage: [3]', 'g.yaml'));
    expect(duplicate).toMatchObject({ code: 'GRID_SYNTAX', where: 'g.yaml:2' });
    expect(duplicate.message).toMatch(/unique/);
    expect(errorOf(() => parseGrid('\nensemble.threshold: []', 'g.yaml'))).toMatchObject({ code: 'GRID_EMPTY', where: 'g.yaml:2' });
    expect(errorOf(() => parseGrid('ensemble.threshold: {from: 0.6, to: 0.4, step: 0.1}', 'g.yaml')).message).toMatch(/below from/);
    expect(errorOf(() => parseGrid('ensemble.threshold: {from: 0.1, to: 0.4, stp: 0.1}', 'g.yaml')).message).toMatch(/unknown field "stp"/);
    expect(errorOf(() => parseGrid('ensemble.threshold: {from: 0, to: 1, step: 0.00001}', 'g.yaml')).code).toBe('GRID_TOO_LARGE');
    expect(errorOf(() => parseGrid('models.weight: [1, 2]', 'g.yaml')).message).toMatch(/model sets/);
    expect(errorOf(() => parseGrid('a: [1\n', 'g.yaml')).code).toBe('GRID_SYNTAX');
    expect(errorOf(() => parseGrid('- 1\n- 2\n', 'g.yaml')).code).toBe('GRID_SHAPE');
  });
});

describe('expanding a grid over the config', () => {
  it('makes the product of the axes in file order, the last varying fastest', () => {
    const grid = parseGrid('ensemble.method: [weighted_vote, majority]\nensemble.threshold: [0.4, 0.5, 0.6]', 'g.yaml');
    const configs = expandGrid(grid, base);
    expect(configs).toHaveLength(6);
    expect(configs.map((c) => [c.config.ensemble.method, c.config.ensemble.threshold])).toEqual([
      ['weighted_vote', 0.4],
      ['weighted_vote', 0.5],
      ['weighted_vote', 0.6],
      ['majority', 0.4],
      ['majority', 0.5],
      ['majority', 0.6],
    ]);
    expect(configs.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(configs.map((c) => c.hash)).size).toBe(6);
    // Everything the grid does not name keeps the base config's value.
    expect(configs[4]!.config.risk).toEqual(base.risk);
  });

  it('a model set enables its models and disables the others', () => {
    const [first] = expandGrid(parseGrid('models: [[rsi, momentum]]', 'g.yaml'), base);
    expect(first!.config.models.map((m) => [m.name, m.enabled])).toEqual([
      ['momentum', true],
      ['mean_reversion', false],
      ['macd_cross', false],
      ['rsi', true],
    ]);
  });

  it('keeps configurations that come out identical once, and hashes by content, not by how it was written', () => {
    const configs = expandGrid(parseGrid('ensemble.threshold: [0.5, 0.50, 0.6]\nrisk.leverage: [3]', 'g.yaml'), base);
    expect(configs).toHaveLength(2);
    // 0.5 and leverage 3 are the defaults: that configuration is the base config itself.
    expect(configs[0]!.hash).toBe(configHash(base));
    // Sections a replay never reads do not change the hash.
    expect(configHash({ ...base, exchange: { base_url: 'http://127.0.0.1:1/' }, dry_run: false })).toBe(configHash(base));
    expect(configHash({ ...base, replay: { ...base.replay, taker_fee: 0.0004 } })).not.toBe(configHash(base));
  });

  it('checks each value against the schema and names the grid line', () => {
    const leverage = errorOf(() => expandGrid(parseGrid('ensemble.method: [majority]\nrisk.leverage: [2, 2.5]', 'g.yaml'), base));
    expect(leverage.code).toBe('GRID_INVALID_VALUE');
    expect(leverage.where).toBe('g.yaml:2');
    expect(leverage.message).toContain('risk.leverage: expected an integer');
    const method = errorOf(() => expandGrid(parseGrid('ensemble.method: [majority, best_guess]', 'g.yaml'), base));
    expect(method.where).toBe('g.yaml:1');
    expect(method.message).toMatch(/must be one of "weighted_vote"/);
    const model = errorOf(() => expandGrid(parseGrid('models: [[momentum, lstm]]', 'g.yaml'), base));
    expect(model).toMatchObject({ code: 'GRID_UNKNOWN_MODEL', where: 'g.yaml:1' });
    expect(model.hint).toContain('momentum, mean_reversion, macd_cross, rsi');
  });

  it('refuses a model set smaller than the quorum, naming the configuration', () => {
    const error = errorOf(() => expandGrid(parseGrid('models: [[momentum, rsi], [rsi]]', 'g.yaml'), base));
    expect(error.code).toBe('QUORUM_UNREACHABLE');
    expect(error.where).toContain('models=[rsi]');
  });
});
