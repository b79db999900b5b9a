import type { binanceusdm } from 'ccxt';
import { maskSecrets, type XylenConfig } from '../config/index.ts';
import { Store } from '../data/index.ts';
import {
  checkQuorum,
  BTCUSDT_BRACKETS,
  Coordinator,
  ensembleFor,
  FeatureEngine,
  inputError,
  Instrument,
  instrumentSpecFor,
  intervalMs,
  MarginBrackets,
  retainRecord,
  riskManagerFor,
  ruleModel,
  simulatedBrokerFor,
  type Broker,
  type Interval,
  type Journal,
  type JournalRecord,
  type ModelClient,
} from '../engine/index.ts';
import { HttpModelClient, InProcessModelClient } from '../model-servers/client/index.ts';
import { loadModel, type ModelRuntime } from '../model-servers/index.ts';
import { configuredRef, loadConfiguredModels } from '../model-servers/registry/index.ts';
import { codeVersion, DuckDbJournal, MetricsTap, newRunId, type RunManifest } from '../research/index.ts';
import { BinanceFeed } from './BinanceFeed.ts';
import { CcxtBroker } from './CcxtBroker.ts';
import { LiveRunner, type LiveVenue } from './LiveRunner.ts';
import { fetchInstrumentSpec } from './fetchInstrumentSpec.ts';
import { PaperVenue } from './PaperVenue.ts';
import { reconcile, type ReconcileOutcome } from './reconcile.ts';
import { StreamingModelClient } from './StreamingModelClient.ts';
import { WallClock } from './WallClock.ts';
import { LivePromoter, type LiveModels } from './promotion/LivePromoter.ts';
import { liveJournalPath } from './promotion/promotedConfigFile.ts';
import type { PromotionInfo } from './promotion/Promotion.ts';

export type LiveMode = 'paper' | 'testnet' | 'mainnet';

export interface LiveSessionOptions {
  /** The store's path: the live journal goes next to it (live-<name>.duckdb) unless `live.journal` says otherwise. */
  storePath: string;
  /** Mainnet needs this flag (`xylen live --mainnet`) and XYLEN_CONFIRM_MAINNET=yes-i-mean-real-money. */
  mainnet?: boolean;
  log: (event: string, detail: Record<string, unknown>) => void;
  /** Extra journal sinks (the control API's recent records, tests). */
  tap?: (record: JournalRecord) => void;
  /** Wraps each model client (metrics timing). */
  wrapModel?: (model: ModelClient) => ModelClient;
  /** The promotion `config` came from (the promoted-config file read at start), when it did. */
  promotion?: PromotionInfo;
  /** Where a promotion accepted while running is kept for the next start (see live/promotion). */
  promotedConfigPath?: string;
}

export interface LiveSession {
  mode: LiveMode;
  runner: LiveRunner;
  coordinator: Coordinator;
  broker: Broker;
  /** Set in exchange modes (testnet, mainnet, a simulator): the ccxt broker, for reconciliation and emergency stop. */
  exchangeBroker: CcxtBroker | undefined;
  feed: BinanceFeed;
  journalPath: string;
  runId: string;
  /** The models the coordinator asks now (a promotion replaces them). */
  readonly models: readonly ModelClient[];
  /** The config in force now (a promotion changes its models, ensemble, sizing and risk; secrets included). */
  readonly config: XylenConfig;
  /** Promotions while running: submit (POST /config), applied before the next heartbeat. */
  promoter: LivePromoter;
  /** What reconciliation found and did at start (exchange modes). */
  readonly reconciled: ReconcileOutcome | undefined;
  /** Every trade the run closed, oldest first. */
  trades(): Extract<JournalRecord, { type: 'trade' }>[];
  /** Warm the features up, reconcile with the exchange, and trade from the next closed candle. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export const MAINNET_CONFIRM_ENV = 'XYLEN_CONFIRM_MAINNET';
export const MAINNET_CONFIRM_VALUE = 'yes-i-mean-real-money';

const HOSTS = {
  testnet: { rest: 'https://testnet.binancefuture.com', ws: 'wss://stream.binancefuture.com' },
  mainnet: { rest: 'https://fapi.binance.com', ws: 'wss://fstream.binance.com' },
} as const;

/** Bars of the slowest indicator with margin; the same warm-up as the replay loader's, so rows match. */
const WARMUP_BARS = 60;

/**
 * The one place where live mode is chosen and wired (STYLE convention 3): paper (`dry_run: true`: live feed +
 * SimulatedBroker fills), testnet (`testnet: true`: orders on Binance's futures testnet), or mainnet (`testnet:
 * false` with the --mainnet flag and an environment confirmation). `exchange.base_url` points any of them at another
 * host, e.g. `xylen exchange-sim`. Below this function nothing asks which mode it is.
 */
export async function createLiveSession(config: XylenConfig, options: LiveSessionOptions): Promise<LiveSession> {
  const mode: LiveMode = config.dry_run ? 'paper' : config.testnet ? 'testnet' : 'mainnet';
  if (mode === 'mainnet') {
    if (!options.mainnet) throw inputError('MAINNET_NOT_CONFIRMED', 'the config trades on mainnet (dry_run: false, testnet: false) but --mainnet was not given', { where: 'testnet', hint: 'set testnet: true for the testnet, or pass --mainnet (and set the confirmation variable) to trade real money' });
    if (process.env[MAINNET_CONFIRM_ENV] !== MAINNET_CONFIRM_VALUE) throw inputError('MAINNET_NOT_CONFIRMED', `mainnet trading needs ${MAINNET_CONFIRM_ENV}=${MAINNET_CONFIRM_VALUE} in the environment`, { where: MAINNET_CONFIRM_ENV });
  }
  // Every check of the config before the first network call.
  const apiKey = config.exchange.api_key;
  const secret = config.exchange.api_secret;
  if (mode !== 'paper' && (!apiKey || !secret)) {
    throw inputError('EXCHANGE_KEYS_MISSING', `${mode} trading needs exchange.api_key and exchange.api_secret`, { where: 'exchange.api_key', hint: 'write api_key: ${BINANCE_API_KEY} and api_secret: ${BINANCE_API_SECRET} in the config and set the variables (testnet keys: see live/README.md)' });
  }
  const modelTokenEnv = config.live.model_token_env;
  if (modelTokenEnv && !process.env[modelTokenEnv]) {
    throw inputError('MODEL_TOKEN_MISSING', `live.model_token_env names ${modelTokenEnv}, which is not set`, { where: 'live.model_token_env', hint: `export ${modelTokenEnv}=<the token the model servers were started with (--token-env)>` });
  }
  checkQuorum(config.ensemble.quorum, config.models.filter((m) => m.enabled).length);
  const { log } = options;
  const hosts = mode === 'mainnet' ? HOSTS.mainnet : HOSTS.testnet;
  const restUrl = (config.exchange.base_url ?? hosts.rest).replace(/\/+$/, '');
  const wsUrl = (config.exchange.ws_url ?? (config.exchange.base_url ? restUrl.replace(/^http/, 'ws') : hosts.ws)).replace(/\/+$/, '');

  const baseInterval = config.intervals.base as Interval;
  const baseMs = intervalMs(baseInterval);
  const decisionMs = intervalMs(config.intervals.decision as Interval);
  const contextMs = intervalMs(config.intervals.context as Interval);
  const withContext = contextMs > decisionMs;
  const features = new FeatureEngine({ decisionInterval: config.intervals.decision as Interval, contextInterval: config.intervals.context as Interval, withContext });

  // The venue's filters; the replay's table when they agree (so a rehearsal on the simulator matches a replay).
  const spec = await fetchInstrumentSpec(restUrl, config.symbol);
  const builtIn = instrumentSpecFor(config.symbol);
  if (builtIn.known && JSON.stringify(builtIn.spec) !== JSON.stringify({ ...builtIn.spec, ...spec })) log('instrument_differs_from_replay', { exchange: spec, replay: builtIn.spec });
  const instrument = new Instrument(spec);
  const brackets = new MarginBrackets(BTCUSDT_BRACKETS);
  const clock = new WallClock();

  let broker: Broker;
  let venue: LiveVenue;
  let exchangeBroker: CcxtBroker | undefined;
  if (mode === 'paper') {
    const simulated = simulatedBrokerFor(config, { instrument, brackets, clock });
    broker = simulated;
    venue = new PaperVenue(simulated);
  } else {
    const ccxt = (await import('ccxt')).default;
    const ex = new ccxt.binanceusdm({ apiKey, secret, enableRateLimit: false, timeout: config.timing.order_timeout_ms, options: { fetchCurrencies: false, fetchMargins: false, adjustForTimeDifference: false } }) as binanceusdm;
    if (mode === 'testnet' && !config.exchange.base_url) ex.setSandboxMode(true);
    if (config.exchange.base_url) {
      const api = ex.urls['api'] as Record<string, unknown>;
      ex.urls['api'] = Object.fromEntries(Object.entries(api).map(([name, url]) => [name, typeof url === 'string' ? url.replace(/^https?:\/\/[^/]+/, restUrl) : url]));
    }
    exchangeBroker = new CcxtBroker({
      exchange: ex,
      symbol: `${config.symbol.replace(/USDT$/, '')}/USDT:USDT`,
      instrument,
      clock,
      wsUrl,
      retry: { attempts: config.timing.retry_attempts, backoffMs: config.timing.retry_backoff_ms },
      log,
    });
    broker = exchangeBroker;
    venue = exchangeBroker;
  }

  const feed = new BinanceFeed({ symbol: config.symbol, interval: baseInterval, intervalMs: baseMs, restUrl, wsUrl, log });
  const buildModels = async (c: XylenConfig, registered?: ReadonlyMap<number, ModelRuntime>): Promise<LiveModels> => {
    const raw = await buildLiveModels(c, features.names, registered);
    return { raw, used: raw.map((m) => options.wrapModel?.(m) ?? m) };
  };
  const initialModels = await buildModels(config, await registeredModels(config, options.storePath));
  const ensemble = ensembleFor(config);
  const risk = riskManagerFor(config, brackets);

  const journalPath = liveJournalPath(config, options.storePath);
  const journalStore = await Store.open(journalPath);
  const createdAt = new Date();
  const runId = newRunId(createdAt);
  const manifest: RunManifest = {
    config: maskSecrets(config),
    data: { market: config.market, symbol: config.symbol, baseInterval, decisionInterval: config.intervals.decision, contextInterval: config.intervals.context, from: 0, to: 0, bars: 0, checksum: '' },
    models: config.models.filter((m) => m.enabled).map((m) => ({ name: m.name, kind: m.kind, ...(m.rule ? { version: `rule:${m.rule}` } : {}) })),
    funding: { source: 'stored' },
    code: codeVersion(),
    seed: config.replay.seed,
  };
  const duck = await DuckDbJournal.open(journalStore, { runId, kind: mode === 'paper' ? 'paper' : 'live', manifest, createdAt });
  // What the run's metrics read, kept in memory by the replay's own MetricsTap.
  const tap = new MetricsTap(duck);
  const journal: Journal = {
    record(entry) {
      tap.record(entry);
      options.tap?.(retainRecord(entry));
    },
  };
  const coordinator = new Coordinator(
    { models: initialModels.used, ensemble, risk, broker, instrument, journal, featureNames: features.names },
    { threshold: config.ensemble.threshold, modelTimeoutMs: config.timing.model_timeout_ms, orderTag: 'xy', timeout: (ms) => new Promise((r) => setTimeout(r, ms).unref()) },
  );
  // Each handled bar's records are committed before the next bar, so a crash loses at most the bar in hand.
  const promoter = new LivePromoter({
    config,
    ...(options.promotion ? { promotion: options.promotion } : {}),
    models: initialModels,
    build: buildModels,
    ensembleFor,
    coordinator,
    risk,
    journal,
    position: () => broker.snapshot().quantity,
    featureNames: features.names,
    ...(options.promotedConfigPath ? { persistPath: options.promotedConfigPath } : {}),
    log,
  });
  const runner = new LiveRunner({
    feed,
    venue,
    coordinator,
    features,
    baseMs,
    decisionMs,
    ...(withContext ? { contextMs } : {}),
    log,
    afterBar: () => duck.commit(),
    beforeHeartbeat: (beat, previous) => promoter.applyBefore(beat, previous),
  });

  let bars = 0;
  let closed = false;
  let startedAt = 0;
  let reconciled: ReconcileOutcome | undefined;
  return {
    mode,
    runner,
    coordinator,
    broker,
    exchangeBroker,
    feed,
    journalPath,
    runId,
    promoter,
    get models() {
      return promoter.models;
    },
    trades: () => tap.records.filter((r): r is Extract<JournalRecord, { type: 'trade' }> => r.type === 'trade'),
    get config() {
      return promoter.current;
    },
    get reconciled() {
      return reconciled;
    },
    async start() {
      if (exchangeBroker) await exchangeBroker.start();
      // The exchange's latest closed candle is "now" (the simulator's market time may be years from the wall clock).
      const latest = await latestClosedOpen(restUrl, config.symbol, baseInterval);
      const start = latest + baseMs;
      startedAt = start;
      const warmupFrom = start - WARMUP_BARS * Math.max(decisionMs, contextMs);
      bars = await runner.warmUp(warmupFrom, start);
      if (exchangeBroker) reconciled = await reconcile({ broker: exchangeBroker, coordinator, runner, config, instrument, start, log });
      await runner.start();
      log('live_started', { mode, runId, journal: journalPath, warmupBars: bars, start, reconciled: reconciled?.action ?? 'none' });
    },
    async close() {
      if (closed) return;
      closed = true;
      runner.stopped = true;
      await feed.close();
      await exchangeBroker?.close();
      await promoter.close();
      // The runs row says what the run covered, with the replay's metrics over it.
      const finishedAt = new Date();
      const to = Number.isFinite(runner.lastBarClose) ? runner.lastBarClose : startedAt;
      const data = { ...manifest.data, from: startedAt, to, bars: runner.bars };
      const metrics = tap.metrics({ barMs: decisionMs, firstClose: runner.firstOpen, lastClose: runner.lastClose });
      await duck.finish({ metrics, bars: runner.bars, elapsedMs: finishedAt.getTime() - createdAt.getTime(), finishedAt }).catch((error: unknown) => log('journal_finish_failed', { message: (error as Error).message.slice(0, 200) }));
      await journalStore.connection.run(`UPDATE runs SET manifest = $2 WHERE run_id = $1`, [runId, JSON.stringify({ ...manifest, data })]).catch(() => undefined);
      journalStore.close();
    },
  };
}

async function latestClosedOpen(restUrl: string, symbol: string, interval: string): Promise<number> {
  const response = await fetch(`${restUrl}/fapi/v1/klines?symbol=${symbol}&interval=${interval}&limit=2`);
  if (!response.ok) throw inputError('EXCHANGE_UNREACHABLE', `GET ${restUrl}/fapi/v1/klines answered ${response.status}`, { where: 'exchange.base_url' });
  const rows = (await response.json()) as [number, string, string, string, string, string, number][];
  const serverNow = Date.now();
  // A live exchange's last row is the forming candle; the simulator serves closed candles only (a lone row is taken as it is).
  const closed = rows.length === 1 ? rows : rows.filter((r) => r[6] < serverNow);
  const last = closed.at(-1);
  if (!last) throw inputError('NO_DATA', `the exchange at ${restUrl} has no ${symbol} ${interval} candles`);
  return last[0];
}

/**
 * The registered versions the live config names (`model: id@v`, `endpoint: inproc:id@v`), loaded at start from the
 * store, opened read-only for just that. A promotion's entries arrive resolved to files (resolveRegisteredModels).
 */
async function registeredModels(config: XylenConfig, storePath: string): Promise<Map<number, ModelRuntime>> {
  if (!config.models.some((m, i) => m.enabled && configuredRef(m, i))) return new Map();
  const store = await Store.open(storePath, { readOnly: true });
  try {
    return new Map([...(await loadConfiguredModels(store, config.models))].map(([i, m]) => [i, m.runtime]));
  } finally {
    store.close();
  }
}

/** A loaded model answering each decision in-process; closing the client closes the runtime. */
function inProcess(runtime: ModelRuntime, name: string): ModelClient {
  const client = new InProcessModelClient(runtime, { name });
  return { name: client.name, predict: (r) => client.predict(r), retrain: (o) => client.retrain(o), close: () => runtime.close() } as ModelClient;
}

async function buildLiveModels(config: XylenConfig, names: readonly string[], registered: ReadonlyMap<number, ModelRuntime> = new Map()): Promise<ModelClient[]> {
  const enabled = config.models.map((m, i) => ({ m, i })).filter(({ m }) => m.enabled);
  return Promise.all(
    enabled.map(async ({ m, i }): Promise<ModelClient> => {
      const named = configuredRef(m, i);
      if (named) {
        const runtime = registered.get(i);
        if (!runtime) {
          throw inputError('MODEL_REGISTRY_UNAVAILABLE', `model "${m.name}" names the registered model ${named.ref.id}${named.ref.version ? `@${named.ref.version}` : ''}, which was not loaded`, {
            where: named.where,
            hint: 'promotions name model files; give the entry a path:, or restart `xylen live` so it loads registered models from the store',
          });
        }
        return inProcess(runtime, m.name);
      }
      if (m.kind === 'http') {
        if (!m.endpoint) throw inputError('MODEL_ENDPOINT_MISSING', `model "${m.name}" has kind http but no endpoint`, { where: `models.${i}.endpoint` });
        const token = config.live.model_token_env ? process.env[config.live.model_token_env] : undefined;
        return new HttpModelClient({ url: m.endpoint, name: m.name, timeoutMs: config.timing.model_timeout_ms, ...(token ? { token } : {}) });
      }
      if (m.kind === 'onnx' || m.kind === 'xgboost') {
        if (!m.path) throw inputError('MODEL_PATH_MISSING', `model "${m.name}" has kind ${m.kind} but no path`, { where: `models.${i}.path` });
        return inProcess(await loadModel(m.path), m.name);
      }
      if (!m.rule) throw inputError('MODEL_RULE_MISSING', `model "${m.name}" has kind rule but no rule`, { where: `models.${i}.rule` });
      return new StreamingModelClient(ruleModel(m.rule, m.name), names);
    }),
  );
}
