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
    description: 'one wide heartbeat row per decision instead of four records; the old tables become views',
    // A heartbeat's equity, features, votes and decision were four tables and ~7 rows; as one row with list columns a
    // year of 5m decisions journals as fast as the engine runs. Small vocabularies are UTINYINT codes (action: hold,
    // long, short; outcome: in DecisionOutcome order, research/journal/HeartbeatBlock.ts) and votes name their model
    // by its index in run_models. The views keep the old tables' names and columns for readers; existing runs are
    // converted (their stored journal_hash keeps the value it had under the old record layout).
    sql: `
      CREATE TABLE heartbeats (
        run_id          VARCHAR    NOT NULL,
        seq             BIGINT     NOT NULL,
        ts              BIGINT     NOT NULL,
        row             INTEGER    NOT NULL,
        close           DOUBLE     NOT NULL,
        equity          DOUBLE     NOT NULL,
        wallet          DOUBLE     NOT NULL,
        quantity        DOUBLE     NOT NULL,
        mark_price      DOUBLE     NOT NULL,
        action          UTINYINT   NOT NULL,
        confidence      DOUBLE     NOT NULL,
        score_long      DOUBLE     NOT NULL,
        score_short     DOUBLE     NOT NULL,
        score_hold      DOUBLE     NOT NULL,
        outcome         UTINYINT   NOT NULL,
        missing         VARCHAR,
        detail          VARCHAR,
        features        DOUBLE[]   NOT NULL,
        vote_model      UTINYINT[] NOT NULL,
        vote_action     UTINYINT[] NOT NULL,
        vote_confidence DOUBLE[]   NOT NULL,
        vote_weight     DOUBLE[]   NOT NULL
      );
      CREATE TABLE run_models (
        run_id      VARCHAR  NOT NULL,
        model_index UTINYINT NOT NULL,
        model       VARCHAR  NOT NULL
      );
      CREATE TABLE equity_marks (
        run_id     VARCHAR NOT NULL,
        seq        BIGINT  NOT NULL,
        ts         BIGINT  NOT NULL,
        equity     DOUBLE  NOT NULL,
        wallet     DOUBLE  NOT NULL,
        quantity   DOUBLE  NOT NULL,
        mark_price DOUBLE  NOT NULL
      );

      INSERT INTO run_models
        SELECT run_id, (row_number() OVER (PARTITION BY run_id ORDER BY model) - 1)::UTINYINT, model
        FROM (SELECT DISTINCT run_id, model FROM predictions);
      INSERT INTO heartbeats
        SELECT d.run_id, d.seq, d.ts, d.row, coalesce(s.close, e.mark_price, 'NaN'::DOUBLE),
          coalesce(e.equity, 'NaN'::DOUBLE), coalesce(e.wallet, 'NaN'::DOUBLE), coalesce(e.quantity, 0), coalesce(e.mark_price, 'NaN'::DOUBLE),
          list_position(['hold', 'long', 'short'], d.action) - 1, d.confidence, d.score_long, d.score_short, d.score_hold,
          list_position(['NO_QUORUM', 'HOLD', 'BELOW_THRESHOLD', 'IN_POSITION', 'RISK_DENIED', 'HALTED', 'ORDER_PLACED', 'ORDER_REJECTED'], d.outcome) - 1,
          d.missing, d.detail, coalesce(s.features, []::DOUBLE[]),
          coalesce(v.models, []), coalesce(v.actions, []), coalesce(v.confidences, []), coalesce(v.weights, [])
        FROM decisions d
        LEFT JOIN snapshots s ON s.run_id = d.run_id AND s.ts = d.ts AND s.row = d.row
        LEFT JOIN equity e ON e.run_id = d.run_id AND e.ts = d.ts
        LEFT JOIN (
          SELECT p.run_id, p.ts, p.row,
            list(m.model_index ORDER BY p.model) AS models,
            list((list_position(['hold', 'long', 'short'], p.action) - 1)::UTINYINT ORDER BY p.model) AS actions,
            list(p.confidence ORDER BY p.model) AS confidences,
            list(p.weight ORDER BY p.model) AS weights
          FROM predictions p JOIN run_models m ON m.run_id = p.run_id AND m.model = p.model
          GROUP BY ALL
        ) v ON v.run_id = d.run_id AND v.ts = d.ts AND v.row = d.row;
      INSERT INTO equity_marks
        SELECT e.* FROM equity e ANTI JOIN decisions d ON d.run_id = e.run_id AND d.ts = e.ts;
      DROP TABLE snapshots;
      DROP TABLE predictions;
      DROP TABLE decisions;
      DROP TABLE equity;

      CREATE VIEW decisions AS
        SELECT run_id, seq, ts, row, ['hold', 'long', 'short'][action + 1] AS action, confidence, score_long, score_short, score_hold,
          len(vote_model)::INTEGER AS answered, missing,
          ['NO_QUORUM', 'HOLD', 'BELOW_THRESHOLD', 'IN_POSITION', 'RISK_DENIED', 'HALTED', 'ORDER_PLACED', 'ORDER_REJECTED'][outcome + 1] AS outcome,
          detail
        FROM heartbeats;
      CREATE VIEW snapshots AS
        SELECT run_id, seq, ts, row, close, features FROM heartbeats;
      CREATE VIEW predictions AS
        SELECT v.run_id, v.seq, v.ts, v.row, m.model, ['hold', 'long', 'short'][v.action_code + 1] AS action, v.confidence, v.weight
        FROM (
          SELECT run_id, seq, ts, row, unnest(vote_model) AS model_index, unnest(vote_action) AS action_code,
            unnest(vote_confidence) AS confidence, unnest(vote_weight) AS weight
          FROM heartbeats
        ) v JOIN run_models m ON m.run_id = v.run_id AND m.model_index = v.model_index;
      CREATE VIEW equity AS
        SELECT run_id, seq, ts, equity, wallet, quantity, mark_price FROM heartbeats
        UNION ALL
        SELECT run_id, seq, ts, equity, wallet, quantity, mark_price FROM equity_marks;
    `,
  },
  {
    version: 5,
    description: 'parameter sweeps (one row per sweep, one result per configuration) and walk-forward analyses (folds, stitched equity)',
    // sweep_results is keyed by (sweep_id, config_hash): a rerun skips what is stored, and a result that arrives twice
    // (a queue job retried after its worker died) is inserted once (INSERT … ON CONFLICT DO NOTHING). period_returns
    // holds the equity's returns per sweep period as little-endian float64 (BLOB: a tenth of the insert time of a
    // DOUBLE[] of a year of hourly returns); read them with research's sweepResults(…, { returns: true }).
    sql: `
      CREATE TABLE sweeps (
        sweep_id      VARCHAR PRIMARY KEY,
        name          VARCHAR   NOT NULL,
        created_at    TIMESTAMP NOT NULL,
        updated_at    TIMESTAMP NOT NULL,
        status        VARCHAR   NOT NULL,
        market        VARCHAR   NOT NULL,
        symbol        VARCHAR   NOT NULL,
        from_time     BIGINT    NOT NULL,
        to_time       BIGINT    NOT NULL,
        period_ms     BIGINT    NOT NULL,
        configs       INTEGER   NOT NULL,
        grid          JSON      NOT NULL,
        base_config   JSON      NOT NULL,
        data_checksum VARCHAR   NOT NULL,
        message       VARCHAR
      );
      CREATE TABLE sweep_results (
        sweep_id       VARCHAR   NOT NULL,
        config_hash    VARCHAR   NOT NULL,
        config_index   INTEGER   NOT NULL,
        params         JSON      NOT NULL,
        config         JSON      NOT NULL,
        metrics        JSON      NOT NULL,
        sharpe         DOUBLE,
        total_return   DOUBLE,
        max_drawdown   DOUBLE,
        trades         INTEGER,
        period_returns BLOB      NOT NULL,
        bars           BIGINT    NOT NULL,
        elapsed_ms     DOUBLE    NOT NULL,
        worker         VARCHAR,
        run_id         VARCHAR,
        finished_at    TIMESTAMP NOT NULL,
        PRIMARY KEY (sweep_id, config_hash)
      );
      CREATE TABLE walkforwards (
        wf_id       VARCHAR PRIMARY KEY,
        created_at  TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        status      VARCHAR   NOT NULL,
        market      VARCHAR   NOT NULL,
        symbol      VARCHAR   NOT NULL,
        from_time   BIGINT    NOT NULL,
        to_time     BIGINT    NOT NULL,
        train_ms    BIGINT    NOT NULL,
        test_ms     BIGINT    NOT NULL,
        step_ms     BIGINT    NOT NULL,
        embargo_ms  BIGINT    NOT NULL,
        kind        VARCHAR,
        config      JSON      NOT NULL,
        metrics     JSON,
        message     VARCHAR
      );
      CREATE TABLE walkforward_folds (
        wf_id         VARCHAR NOT NULL,
        fold          INTEGER NOT NULL,
        train_from    BIGINT  NOT NULL,
        train_to      BIGINT  NOT NULL,
        test_from     BIGINT  NOT NULL,
        test_to       BIGINT  NOT NULL,
        label_end_max BIGINT,
        models        JSON    NOT NULL,
        metrics       JSON    NOT NULL,
        PRIMARY KEY (wf_id, fold)
      );
      CREATE TABLE walkforward_equity (
        wf_id  VARCHAR NOT NULL,
        fold   INTEGER NOT NULL,
        ts     BIGINT  NOT NULL,
        equity DOUBLE  NOT NULL
      );
    `,
  },
  {
    version: 6,
    description: 'model_events.evidence: what a promotion was decided on (out-of-sample runs, metrics, DSR, the bootstrap test)',
    // JSON rather than columns: the evidence grows with the studio (more tests, more runs) and is read whole.
    sql: `ALTER TABLE model_events ADD COLUMN evidence JSON;`,
  },
  {
    version: 7,
    description: 'promotions to live (who, when, which run, what it replaced) and the live journal\'s configuration changes',
    // promotions is written by `xylen promote` in the store that holds the run; config_changes is a journal table
    // (one row per applied promotion) written by the live process in its own journal file. A promotion row never
    // changes: what the live process did with it is in that file. JSON holds settings only, never a secret.
    sql: `
      CREATE TABLE promotions (
        promotion_id          VARCHAR   PRIMARY KEY,
        promoted_at           TIMESTAMP NOT NULL,
        promoted_by           VARCHAR   NOT NULL,
        run_id                VARCHAR   NOT NULL,
        live_name             VARCHAR   NOT NULL,
        delivery              VARCHAR   NOT NULL CHECK (delivery IN ('running', 'next-start')),
        live_url              VARCHAR,
        config                JSON      NOT NULL,
        models                JSON      NOT NULL,
        previous_config       JSON      NOT NULL,
        previous_promotion_id VARCHAR,
        evidence              JSON      NOT NULL
      );
      CREATE TABLE config_changes (
        run_id        VARCHAR NOT NULL,
        seq           BIGINT  NOT NULL,
        ts            BIGINT  NOT NULL,
        promotion_id  VARCHAR NOT NULL,
        source_run_id VARCHAR NOT NULL,
        promoted_by   VARCHAR NOT NULL,
        previous_json VARCHAR NOT NULL,
        config_json   VARCHAR NOT NULL,
        position      DOUBLE  NOT NULL
      );
    `,
  },
  {
    version: 8,
    description: 'feature sets: a replay\'s feature matrix is stored once per distinct content, and its heartbeats refer to it by row',
    // The features were two thirds of a replay's journal, stored again by every run of the same period and feature
    // set, and half of what storing a journal cost DuckDB. A set's id is a SHA-256 of the matrix (names, times,
    // values: research/journal/featureSetId.ts), so a run of the same period reuses it. A heartbeat's features are
    // inline as before (live runs, runs stored before this), or NULL: then they are row `row` of its run's set. The
    // snapshots view reads either.
    sql: `
      CREATE TABLE feature_sets (
        set_id     VARCHAR   PRIMARY KEY,
        names      VARCHAR[] NOT NULL,
        rows       INTEGER   NOT NULL,
        created_at TIMESTAMP NOT NULL
      );
      CREATE TABLE feature_rows (
        set_id   VARCHAR  NOT NULL,
        row      INTEGER  NOT NULL,
        ts       BIGINT   NOT NULL,
        features DOUBLE[] NOT NULL
      );
      ALTER TABLE runs ADD COLUMN feature_set VARCHAR;
      ALTER TABLE heartbeats ALTER COLUMN features DROP NOT NULL;
      CREATE OR REPLACE VIEW snapshots AS
        SELECT h.run_id, h.seq, h.ts, h.row, h.close, coalesce(h.features, f.features) AS features
        FROM heartbeats h
        LEFT JOIN runs r ON h.features IS NULL AND r.run_id = h.run_id
        LEFT JOIN feature_rows f ON f.set_id = r.feature_set AND f.row = h.row;
    `,
  },
  {
    version: 9,
    description: 'a heartbeat\'s votes as one list of (model, action, confidence, weight) instead of four parallel lists',
    // Four list columns with the same offsets were the costliest part of a heartbeat row for DuckDB (≈ 115–140 ms of
    // a year's journal against ≈ 75 ms as one list of structs), and on a period's first run DuckDB is what the
    // commit waits for. The table is rebuilt with the new column (DuckDB cannot make a column added in the same
    // transaction NOT NULL), existing rows converted; the views over it are made again, reading the new column.
    sql: `
      DROP VIEW predictions;
      DROP VIEW decisions;
      DROP VIEW snapshots;
      DROP VIEW equity;
      CREATE TABLE heartbeats_v9 (
        run_id      VARCHAR  NOT NULL,
        seq         BIGINT   NOT NULL,
        ts          BIGINT   NOT NULL,
        row         INTEGER  NOT NULL,
        close       DOUBLE   NOT NULL,
        equity      DOUBLE   NOT NULL,
        wallet      DOUBLE   NOT NULL,
        quantity    DOUBLE   NOT NULL,
        mark_price  DOUBLE   NOT NULL,
        action      UTINYINT NOT NULL,
        confidence  DOUBLE   NOT NULL,
        score_long  DOUBLE   NOT NULL,
        score_short DOUBLE   NOT NULL,
        score_hold  DOUBLE   NOT NULL,
        outcome     UTINYINT NOT NULL,
        missing     VARCHAR,
        detail      VARCHAR,
        features    DOUBLE[],
        votes       STRUCT(model UTINYINT, action UTINYINT, confidence DOUBLE, weight DOUBLE)[] NOT NULL
      );
      INSERT INTO heartbeats_v9
        SELECT run_id, seq, ts, row, close, equity, wallet, quantity, mark_price, action, confidence, score_long, score_short,
          score_hold, outcome, missing, detail, features,
          list_transform(range(len(vote_model)), i -> {
            'model': vote_model[i + 1], 'action': vote_action[i + 1], 'confidence': vote_confidence[i + 1], 'weight': vote_weight[i + 1]
          })
        FROM heartbeats;
      DROP TABLE heartbeats;
      ALTER TABLE heartbeats_v9 RENAME TO heartbeats;
      CREATE VIEW decisions AS
        SELECT run_id, seq, ts, row, ['hold', 'long', 'short'][action + 1] AS action, confidence, score_long, score_short, score_hold,
          len(votes)::INTEGER AS answered, missing,
          ['NO_QUORUM', 'HOLD', 'BELOW_THRESHOLD', 'IN_POSITION', 'RISK_DENIED', 'HALTED', 'ORDER_PLACED', 'ORDER_REJECTED'][outcome + 1] AS outcome,
          detail
        FROM heartbeats;
      CREATE VIEW snapshots AS
        SELECT h.run_id, h.seq, h.ts, h.row, h.close, coalesce(h.features, f.features) AS features
        FROM heartbeats h
        LEFT JOIN runs r ON h.features IS NULL AND r.run_id = h.run_id
        LEFT JOIN feature_rows f ON f.set_id = r.feature_set AND f.row = h.row;
      CREATE VIEW predictions AS
        SELECT v.run_id, v.seq, v.ts, v.row, m.model, ['hold', 'long', 'short'][v.vote.action + 1] AS action, v.vote.confidence AS confidence,
          v.vote.weight AS weight
        FROM (SELECT run_id, seq, ts, row, unnest(votes) AS vote FROM heartbeats) v
        JOIN run_models m ON m.run_id = v.run_id AND m.model_index = v.vote.model;
      CREATE VIEW equity AS
        SELECT run_id, seq, ts, equity, wallet, quantity, mark_price FROM heartbeats
        UNION ALL
        SELECT run_id, seq, ts, equity, wallet, quantity, mark_price FROM equity_marks;
    `,
  },
];
