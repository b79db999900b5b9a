/**
 * The store's schema, as an ordered list of migrations. A migration is never edited once it has
 * shipped: add a new one. `Store.open` applies the ones a database has not seen, in one transaction each.
 *
 * Conventions:
 * - times are BIGINT Unix milliseconds UTC; a candle row is keyed by its *open* time, as Binance does,
 *   and its close time is open_time + interval length (the engine stamps a candle at its close);
 * - `market` says where a series comes from: 'usdm' (Binance USDⓈ-M futures), 'spot' (Binance spot),
 *   or 'synthetic' (made by `xylen data synth`; never mistaken for market data);
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
        taker_buy_quote DOUBLE,
        PRIMARY KEY (market, symbol, interval, open_time)
      );
      CREATE TABLE mark_candles (
        market    VARCHAR NOT NULL,
        symbol    VARCHAR NOT NULL,
        interval  VARCHAR NOT NULL,
        open_time BIGINT  NOT NULL,
        open      DOUBLE  NOT NULL,
        high      DOUBLE  NOT NULL,
        low       DOUBLE  NOT NULL,
        close     DOUBLE  NOT NULL,
        PRIMARY KEY (market, symbol, interval, open_time)
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
];
