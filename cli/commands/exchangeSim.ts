import type { Command } from 'commander';
import { Store } from '../../data/index.ts';
import { formatTime, inputError, instrumentSpecFor } from '../../engine/index.ts';
import type { ExchangeSim } from '../../live/index.ts';
import { resolveDbPath } from '../context.ts';
import { parseInteger, parseMarket, parseRange, parseSymbol } from '../flags.ts';

export interface ExchangeSimFlags {
  port: string;
  host: string;
  symbol: string;
  market: string;
  from?: string;
  to?: string;
  speed: string;
  historyHours: string;
  balance: string;
  keyEnv: string;
  secretEnv: string;
  json?: boolean;
}

/** Registers `xylen exchange-sim`: a loopback Binance USDⓈ-M futures exchange over stored candles. */
export function registerExchangeSim(program: Command): Command {
  return program
    .command('exchange-sim')
    .description('a loopback Binance USDⓈ-M futures exchange (REST + websocket, as ccxt binanceusdm uses it) replaying stored candles, for rehearsing `xylen live` offline')
    .option('--port <n>', 'port to listen on (0: any free port)', '8900')
    .option('--host <address>', 'address to bind; only this machine by default', '127.0.0.1')
    .option('--symbol <symbol>', 'the one symbol it lists', 'BTCUSDT')
    .option('--market <market>', 'which stored candles to replay (usdm, spot, synthetic)', 'usdm')
    .option('--from <time>', 'market time to start replaying at (default: the stored data start + the history)')
    .option('--to <time>', 'market time to stop at (default: the end of the stored data)')
    .option('--speed <x>', 'market clock speed: 1 = real time, 600 = a 1m bar every 100 ms', '600')
    .option('--history-hours <h>', 'hours of candles before --from served as already closed (indicator warm-up)', '72')
    .option('--balance <usdt>', 'starting wallet balance of the simulated account', '10000')
    .option('--key-env <NAME>', 'environment variable holding the API key clients must send', 'XYLEN_SIM_API_KEY')
    .option('--secret-env <NAME>', 'environment variable holding the API secret clients sign with', 'XYLEN_SIM_API_SECRET')
    .option('--json', 'print one JSON line with the URLs when listening')
    .action(async (flags: ExchangeSimFlags, command: Command) => {
      const sim = await startFromFlags(flags, await resolveDbPath(command));
      await new Promise<void>((done) => {
        const stop = () => void sim.close().then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

export async function startFromFlags(flags: ExchangeSimFlags, dbPath: string): Promise<ExchangeSim> {
  const { loadSimData, startExchangeSim } = await import('../../live/index.ts'); // Fastify and ws: only for this command
  const symbol = parseSymbol(flags.symbol);
  const market = parseMarket(flags.market);
  const port = parseInteger(flags.port, '--port', { min: 0, max: 65_535 });
  const speed = Number(flags.speed);
  if (!(speed > 0 && speed <= 100_000)) throw inputError('BAD_NUMBER', `must be a number above 0 and at most 100000, not "${flags.speed}"`, { where: '--speed' });
  const historyMs = parseInteger(flags.historyHours, '--history-hours', { min: 0, max: 24 * 365 }) * 3_600_000;
  const balance = Number(flags.balance);
  if (!(balance > 0)) throw inputError('BAD_NUMBER', `must be a positive number, not "${flags.balance}"`, { where: '--balance' });
  const apiKey = secretFromEnv(flags.keyEnv, '--key-env');
  const apiSecret = secretFromEnv(flags.secretEnv, '--secret-env');
  const range = parseRange(flags);

  const store = await Store.open(dbPath, { readOnly: true });
  let data;
  let from: number;
  let to: number;
  try {
    const [extent] = await store.all(`SELECT min(open_time)::DOUBLE AS lo, max(open_time)::DOUBLE AS hi FROM candles WHERE market = $1 AND symbol = $2`, [market, symbol]);
    const lo = extent?.['lo'] as number | null;
    const hi = extent?.['hi'] as number | null;
    if (lo === null || hi === null || lo === undefined || hi === undefined) {
      throw inputError('NO_DATA', `no ${market} ${symbol} candles in ${dbPath}`, { hint: 'import some first: `xylen data import ../shared/data/binance-usdm/BTCUSDT`' });
    }
    from = range.from ?? Math.min(hi, lo + historyMs);
    to = range.to ?? hi + 1;
    data = await loadSimData(store, { market, symbol, from, to, historyMs });
  } finally {
    store.close();
  }
  const { spec } = instrumentSpecFor(symbol);
  let sim: ExchangeSim;
  try {
    sim = await startExchangeSim({
      symbol,
      instrument: spec,
      candles: data.candles,
      barMs: data.barMs,
      funding: data.funding,
      startAt: from,
      pace: { kind: 'speed', speed },
      apiKey,
      apiSecret,
      initialBalance: balance,
      host: flags.host,
      port,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    throw inputError('LISTEN_FAILED', `cannot listen on ${flags.host}:${port}: ${(error as Error).message}`, { where: '--port', hint: 'choose a free port, or --port 0 for any' });
  }
  const info = { url: sim.url, wsUrl: sim.wsUrl, symbol, interval: data.interval, from, to, speed, bars: data.candles.length, funding: data.fundingSource };
  if (flags.json) process.stdout.write(`${JSON.stringify(info)}\n`);
  else {
    process.stderr.write(
      `exchange-sim: ${symbol} ${data.interval} from ${formatTime(from)} to ${formatTime(to)} at ${speed}× on ${sim.url} (websocket ${sim.wsUrl}), funding ${data.fundingSource}\n` +
        `  point xylen live at it: exchange.base_url: ${sim.url} (API key and secret from $${flags.keyEnv} / $${flags.secretEnv})\n`,
    );
  }
  return sim;
}

function secretFromEnv(name: string, flag: string): string {
  const value = process.env[name];
  if (!value) {
    throw inputError('SECRET_ENV_MISSING', `environment variable ${name} is not set`, {
      where: flag,
      hint: `export ${name}=<any string>; the same value goes to xylen live through the config's exchange.api_key / api_secret`,
    });
  }
  return value;
}
