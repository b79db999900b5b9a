import { z } from 'zod';
import { INTERVALS } from '../engine/index.ts';

/**
 * The schema of `xylen.yaml`. Every key has a default, so an empty file (or none) is a valid
 * config; every object is strict, so a misspelled key is an error rather than a silent default.
 * `xylen.example.yaml` documents each key; keep the two in step (a test checks that the example
 * parses and names every key).
 */
const interval = z.enum(INTERVALS as [string, ...string[]]);
const fraction = z.number().min(0).max(1);
const positiveMs = z.int().min(1).max(3_600_000);

const model = z.strictObject({
  /** Unique name, used in the journal and the studio. */
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." or "-", at most 64'),
  /** rule: a built-in rule model; onnx / xgboost: a model file run in-process; http: a model server. */
  kind: z.enum(['rule', 'onnx', 'xgboost', 'http']),
  /** For rule models: which rule. For onnx/xgboost: path to the model file. */
  path: z.string().optional(),
  rule: z.enum(['momentum', 'mean_reversion', 'macd_cross', 'rsi']).optional(),
  /** For onnx/xgboost models instead of path: a registered model, `id` (its champion) or `id@version` (pinned). */
  model: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(@[1-9][0-9]*)?$/, 'a registered model id, or id@version')
    .optional(),
  /** For http models: base URL of the model server, or `inproc:<id>[@version]` for the registered model run in-process. */
  endpoint: z.url().optional(),
  weight: z.number().min(0).max(100).prefault(1),
  enabled: z.boolean().prefault(true),
  /** In-process models in a replay: retrain at event time once this many trade outcomes are in (0 = never). */
  retrain_every: z.int().min(0).max(1_000_000).prefault(0),
});

export const configSchema = z.strictObject({
  /** Paper trading: live feed, simulated fills. Only meaningful for `xylen live`. */
  dry_run: z.boolean().prefault(true),
  /** Send orders to the Binance futures testnet instead of mainnet. */
  testnet: z.boolean().prefault(true),
  symbol: z.string().regex(/^[A-Z0-9]{2,20}$/, 'an exchange symbol such as BTCUSDT').prefault('BTCUSDT'),
  market: z.enum(['usdm', 'spot', 'synthetic']).prefault('usdm'),
  intervals: z
    .strictObject({
      /** Heartbeat: the coordinator decides on each close of this interval. */
      decision: interval.prefault('5m'),
      /** Higher-timeframe context features (only its closed candles are used). */
      context: interval.prefault('1h'),
      /** Finest candles used to monitor open positions (stops, take-profits, liquidation). */
      base: interval.prefault('1m'),
    })
    .prefault({}),
  data: z
    .strictObject({
      /** The DuckDB store; `--db` and `XYLEN_DB` take precedence. */
      db: z.string().min(1).optional(),
    })
    .prefault({}),
  models: z
    .array(model)
    .prefault([
      { name: 'momentum', kind: 'rule', rule: 'momentum' },
      { name: 'mean_reversion', kind: 'rule', rule: 'mean_reversion' },
      { name: 'macd_cross', kind: 'rule', rule: 'macd_cross' },
      { name: 'rsi', kind: 'rule', rule: 'rsi' },
    ]),
  /** `xylen model-server`: when a server retrains from its posted outcomes (flags override). */
  model_server: z
    .strictObject({
      /** Retrain once at least this many outcomes are pending. */
      min_samples: z.int().min(1).max(1_000_000).prefault(50),
      /** Train on at most the latest this many samples. */
      retrain_window: z.int().min(10).max(10_000_000).prefault(10_000),
      /** false: store the outcomes but never retrain (e.g. to compare replays in-process and over HTTP). */
      retrain: z.boolean().prefault(true),
    })
    .prefault({}),
  ensemble: z
    .strictObject({
      method: z.enum(['weighted_vote', 'bayesian_weighted', 'average_confidence', 'majority']).prefault('weighted_vote'),
      /** Minimum aggregate confidence to act. */
      threshold: fraction.prefault(0.5),
      /** Minimum number of models that must answer in time. */
      quorum: z.int().min(1).max(64).prefault(2),
      /** How many recent outcomes per model feed its adaptive weight. */
      window: z.int().min(1).max(10_000).prefault(50),
      /** Exponential decay of older outcomes in that window (1 = no decay). */
      decay: z.number().gt(0).max(1).prefault(0.95),
    })
    .prefault({}),
  sizing: z
    .strictObject({
      method: z.enum(['fixed_fraction', 'kelly', 'fixed_amount']).prefault('fixed_fraction'),
      /** fixed_fraction: share of equity put at risk per trade. */
      fraction: fraction.prefault(0.02),
      /** fixed_amount: margin per trade, in the quote asset (USDT). */
      amount: z.number().positive().prefault(100),
      /** kelly: cap on the Kelly fraction (full Kelly is rarely wise). */
      kelly_cap: fraction.prefault(0.25),
    })
    .prefault({}),
  risk: z
    .strictObject({
      /** Where stops come from: pct (the two percentages below), atr (multiples of ATR 14), ensemble (the models' levels, pct as fallback). */
      stop_mode: z.enum(['pct', 'atr', 'ensemble']).prefault('pct'),
      stop_loss_pct: z.number().gt(0).max(0.5).prefault(0.02),
      take_profit_pct: z.number().gt(0).max(5).prefault(0.04),
      atr_stop_mult: z.number().gt(0).max(50).prefault(2),
      atr_tp_mult: z.number().gt(0).max(100).prefault(4),
      leverage: z.int().min(1).max(125).prefault(3),
      /** Hard ceiling over `leverage`; the exchange's bracket for the notional may lower it further. */
      max_leverage: z.int().min(1).max(125).prefault(20),
      max_open_positions: z.int().min(1).max(100).prefault(1),
      max_daily_trades: z.int().min(1).max(10_000).prefault(20),
      daily_loss_limit_pct: fraction.prefault(0.05),
      /** Absolute daily loss limit in USDT; 0 disables it. */
      daily_loss_limit_abs: z.number().min(0).prefault(0),
      max_consecutive_losses: z.int().min(1).max(1000).prefault(5),
      /** Pause after the consecutive-loss breaker trips. */
      loss_cooldown_hours: z.number().min(0).max(720).prefault(4),
      /** Drawdown from the equity peak that flattens everything and halts trading; 0 disables it (as for the daily limits). */
      max_drawdown_pct: fraction.prefault(0.2),
    })
    .prefault({}),
  timing: z
    .strictObject({
      model_timeout_ms: positiveMs.prefault(5000),
      order_timeout_ms: positiveMs.prefault(10_000),
      retry_attempts: z.int().min(0).max(20).prefault(5),
      retry_backoff_ms: positiveMs.prefault(500),
    })
    .prefault({}),
  replay: z
    .strictObject({
      initial_balance: z.number().positive().prefault(10_000),
      /** Taker fee (market orders, stops); Binance USDⓈ-M VIP 0 is 0.05 %. */
      taker_fee: z.number().min(0).max(0.01).prefault(0.0005),
      /** Maker fee (resting limit orders); VIP 0 is 0.02 %. */
      maker_fee: z.number().min(0).max(0.01).prefault(0.0002),
      slippage_bps: z.number().min(0).max(1000).prefault(2),
      seed: z.int().min(0).max(2 ** 31 - 1).prefault(42),
    })
    .prefault({}),
  exchange: z
    .strictObject({
      /** Secrets: write `${BINANCE_API_KEY}` and set the variable; never put a key in the file. */
      api_key: z.string().optional(),
      api_secret: z.string().optional(),
      /** Override the REST base URL, e.g. the loopback exchange simulator. */
      base_url: z.url().optional(),
      /** Override the websocket base URL; default: base_url with ws(s)://, or the testnet/mainnet stream host. */
      ws_url: z.url().optional(),
    })
    .prefault({}),
  live: z
    .strictObject({
      /** Names the live journal file, live-<name>.duckdb, next to the store. */
      name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." or "-", at most 64').prefault('default'),
      /** The live journal file; default: live-<name>.duckdb beside the store. */
      journal: z.string().min(1).optional(),
      /** On start, a position or orders found on the exchange are adopted (kept, protected) or flattened. */
      on_start: z.enum(['adopt', 'flatten']).prefault('adopt'),
      /** Port of the control API (127.0.0.1); 0 picks a free one. */
      control_port: z.int().min(0).max(65_535).prefault(8780),
      /** Environment variable holding the bearer token the control API requires for state changes. */
      control_token_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).prefault('XYLEN_LIVE_TOKEN'),
      /** Environment variable holding the bearer token sent to `kind: http` model servers (started with --token-env). */
      model_token_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    })
    .prefault({}),
  alerts: z
    .strictObject({
      telegram_token: z.string().optional(),
      telegram_chat_id: z.string().optional(),
      /** Telegram Bot API base URL (a loopback fake in tests). */
      telegram_api_url: z.url().prefault('https://api.telegram.org'),
      /** A generic webhook: every alert is POSTed to it as JSON. */
      webhook_url: z.url().optional(),
      /** Least time between two alert messages per channel. */
      min_interval_ms: z.int().min(0).max(3_600_000).prefault(1000),
    })
    .prefault({}),
});

export type XylenConfig = z.output<typeof configSchema>;
export type XylenConfigInput = z.input<typeof configSchema>;
