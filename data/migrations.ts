/**
 * The store's schema, as an ordered list of migrations. A migration is never edited once it has
 * shipped: add a new one. `Store.open` applies the ones a database has not seen, in one transaction each.
 *
 * Conventions:
 * - times are BIGINT Unix milliseconds UTC; a candle row is keyed by its *open* time, as Binance does,
 *   and its close time is open_time + interval length (the engine stamps a candle at its close);
 * - `market` says where a series comes from: 'usdm' (Binance USDⓈ-M futures), 'spot' (Binance spot),
 *   or 'synthetic' (made by `xylen data synth`; never mistaken for market data);
 * - candles and mark_candles have no PRIMARY KEY on purpose: its index cost a bulk import about a third of its time
 *   (measured: 1M-row imports cannot reach 1M rows/s with it on 2 cores). Uniqueness of (market, symbol, interval,
 *   open_time) is kept by the only writers, the importers and the resampler, which merge with anti-joins and refuse
 *   conflicting rows; range scans rely on DuckDB's zone maps, which the time-ordered inserts keep tight;
 * - prices and volumes are DOUBLE: Binance's decimals have at most 8 places and fit a float64 exactly
 *   enough for candles; order-level exactness (tick and step sizes) lives in the engine's instrument.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'candles, mark-price candles, funding rates, import log',
    sql: `
      CREATE TABLE candles (
        market          VARCHAR NOT NULL,
        symbol          VARCHAR NOT NULL,
        interval        VARCHAR NOT NULL,
        open_time       BIGINT  NOT NULL,
        open            DOUBLE  NOT NULL,
        high            DOUBLE  NOT NULL,
        low             DOUBLE  NOT NULL,
        close           DOUBLE  NOT NULL,
        volume          DOUBLE  NOT NULL,
        quote_volume    DOUBLE,
        trades          BIGINT,
        taker_buy_base  DOUBLE,
        taker_buy_quote DOUBLE
      );
      CREATE TABLE mark_candles (
        market    VARCHAR NOT NULL,
        symbol    VARCHAR NOT NULL,
        interval  VARCHAR NOT NULL,
        open_time BIGINT  NOT NULL,
        open      DOUBLE  NOT NULL,
        high      DOUBLE  NOT NULL,
        low       DOUBLE  NOT NULL,
        close     DOUBLE  NOT NULL
      );
      CREATE TABLE funding_rates (
        market       VARCHAR NOT NULL,
        symbol       VARCHAR NOT NULL,
        funding_time BIGINT  NOT NULL,
        rate         DOUBLE  NOT NULL,
        mark_price   DOUBLE,
        PRIMARY KEY (market, symbol, funding_time)
      );
      CREATE SEQUENCE import_id_seq START 1;
      CREATE TABLE imports (
        id          BIGINT PRIMARY KEY DEFAULT nextval('import_id_seq'),
        source      VARCHAR NOT NULL,
        format      VARCHAR NOT NULL,
        dataset     VARCHAR NOT NULL,
        market      VARCHAR,
        symbol      VARCHAR,
        interval    VARCHAR,
        rows        BIGINT  NOT NULL,
        rows_added  BIGINT  NOT NULL,
        first_time  BIGINT,
        last_time   BIGINT,
        checksum    VARCHAR NOT NULL,
        status      VARCHAR NOT NULL,
        message     VARCHAR,
        imported_at TIMESTAMP NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'runs and their journals (one table per journal record type)',
    // A run's records are keyed by (run_id, seq): seq is the record's position in the whole journal, shared by all
    // tables, so the journal can be read back in order. No index is declared on (run_id, seq): an ART index doubles
    // the append time of a year-long journal, and each run's rows are contiguous, so row-group zonemaps find them.
    sql: `
      CREATE TABLE runs (
        run_id       VARCHAR PRIMARY KEY,
        created_at   TIMESTAMP NOT NULL,
        kind         VARCHAR NOT NULL,
        status       VARCHAR NOT NULL,
        manifest     VARCHAR NOT NULL,
        metrics      VARCHAR,
        journal_hash VARCHAR,
        records      BIGINT,
        bars         BIGINT,
        elapsed_ms   DOUBLE,
        finished_at  TIMESTAMP,
        message      VARCHAR
      );
      CREATE TABLE snapshots (
        run_id   VARCHAR  NOT NULL,
        seq      BIGINT   NOT NULL,
        ts       BIGINT   NOT NULL,
        row      INTEGER  NOT NULL,
        close    DOUBLE   NOT NULL,
        features DOUBLE[] NOT NULL
      );
      CREATE TABLE predictions (
        run_id     VARCHAR NOT NULL,
        seq        BIGINT  NOT NULL,
        ts         BIGINT  NOT NULL,
        row        INTEGER NOT NULL,
        model      VARCHAR NOT NULL,
        action     VARCHAR NOT NULL,
        confidence DOUBLE  NOT NULL,
        weight     DOUBLE  NOT NULL
      );
      CREATE TABLE decisions (
        run_id      VARCHAR NOT NULL,
        seq         BIGINT  NOT NULL,
        ts          BIGINT  NOT NULL,
        row         INTEGER NOT NULL,
        action      VARCHAR NOT NULL,
        confidence  DOUBLE  NOT NULL,
        score_long  DOUBLE  NOT NULL,
        score_short DOUBLE  NOT NULL,
        score_hold  DOUBLE  NOT NULL,
        answered    INTEGER NOT NULL,
        missing     VARCHAR,
        outcome     VARCHAR NOT NULL,
        detail      VARCHAR
      );
      CREATE TABLE orders (
        run_id          VARCHAR NOT NULL,
        seq             BIGINT  NOT NULL,
        ts              BIGINT  NOT NULL,
        client_order_id VARCHAR NOT NULL,
        side            INTEGER NOT NULL,
        type            VARCHAR NOT NULL,
        quantity        DOUBLE  NOT NULL,
        price           DOUBLE,
        trigger_price   DOUBLE,
        reduce_only     BOOLEAN NOT NULL,
        close_position  BOOLEAN,
        status          VARCHAR NOT NULL,
        filled_quantity DOUBLE  NOT NULL,
        average_price   DOUBLE  NOT NULL,
        created_at      BIGINT  NOT NULL,
        updated_at      BIGINT  NOT NULL,
        note            VARCHAR
      );
      CREATE TABLE fills (
        run_id          VARCHAR NOT NULL,
        seq             BIGINT  NOT NULL,
        ts              BIGINT  NOT NULL,
        fill_ts         BIGINT  NOT NULL,
        client_order_id VARCHAR NOT NULL,
        side            INTEGER NOT NULL,
        quantity        DOUBLE  NOT NULL,
        price           DOUBLE  NOT NULL,
        fee             DOUBLE  NOT NULL,
        liquidity       VARCHAR NOT NULL,
        reason          VARCHAR NOT NULL,
        realized_pnl    DOUBLE  NOT NULL
      );
      CREATE TABLE funding (
        run_id     VARCHAR NOT NULL,
        seq        BIGINT  NOT NULL,
        ts         BIGINT  NOT NULL,
        rate       DOUBLE  NOT NULL,
        mark_price DOUBLE  NOT NULL,
        payment    DOUBLE  NOT NULL,
        quantity   DOUBLE  NOT NULL
      );
      CREATE TABLE risk_events (
        run_id      VARCHAR NOT NULL,
        seq         BIGINT  NOT NULL,
        ts          BIGINT  NOT NULL,
        event_ts    BIGINT  NOT NULL,
        rule        VARCHAR NOT NULL,
        effect      VARCHAR NOT NULL,
        reason      VARCHAR NOT NULL,
        values_json VARCHAR NOT NULL,
        until       BIGINT
      );
      CREATE TABLE trades (
        run_id      VARCHAR NOT NULL,
        seq         BIGINT  NOT NULL,
        ts          BIGINT  NOT NULL,
        side        VARCHAR NOT NULL,
        entry_ts    BIGINT  NOT NULL,
        entry_price DOUBLE  NOT NULL,
        exit_price  DOUBLE  NOT NULL,
        quantity    DOUBLE  NOT NULL,
        pnl         DOUBLE  NOT NULL,
        fees        DOUBLE  NOT NULL,
        funding     DOUBLE  NOT NULL,
        exit_reason VARCHAR NOT NULL
      );
      CREATE TABLE equity (
        run_id     VARCHAR NOT NULL,
        seq        BIGINT  NOT NULL,
        ts         BIGINT  NOT NULL,
        equity     DOUBLE  NOT NULL,
        wallet     DOUBLE  NOT NULL,
        quantity   DOUBLE  NOT NULL,
        mark_price DOUBLE  NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'model registry: every trained model version with its lineage, metrics and file checksum; promotion log',
    // A version's row never changes except its status; the model file it names is immutable (file_sha256 is checked
    // when the registry loads it). model_events is append-only: the champion history (promote/rollback) is read from it.
    sql: `
      CREATE TABLE models (
        model_id         VARCHAR NOT NULL,
        version          INTEGER NOT NULL,
        parent_version   INTEGER,
        kind             VARCHAR NOT NULL,
        features         JSON    NOT NULL,
        classes          JSON    NOT NULL,
        training_from    BIGINT,
        training_to      BIGINT,
        training_rows    BIGINT,
        training_metrics JSON,
        label            JSON,
        path             VARCHAR NOT NULL,
        file_sha256      VARCHAR NOT NULL,
        status           VARCHAR NOT NULL CHECK (status IN ('candidate', 'champion', 'retired')),
        created_at       TIMESTAMP NOT NULL,
        registered_at    TIMESTAMP NOT NULL,
        PRIMARY KEY (model_id, version)
      );
      CREATE SEQUENCE model_event_seq START 1;
      CREATE TABLE model_events (
        seq              BIGINT PRIMARY KEY DEFAULT nextval('model_event_seq'),
        model_id         VARCHAR NOT NULL,
        event            VARCHAR NOT NULL CHECK (event IN ('promote', 'rollback')),
        version          INTEGER NOT NULL,
        previous_version INTEGER,
        event_at         TIMESTAMP NOT NULL,
        reason           VARCHAR
      );
    `,
  },
  {
    version: 4,
    description: 'model_events.evidence: what a promotion was decided on (out-of-sample runs, metrics, DSR, the bootstrap test)',
    // JSON rather than columns: the evidence grows with the studio (more tests, more runs) and is read whole.
    sql: `ALTER TABLE model_events ADD COLUMN evidence JSON;`,
  },
];
