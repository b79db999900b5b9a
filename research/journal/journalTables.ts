import { canonicalJson } from './canonicalJson.ts';
import type { FillReason, JournalRecord, JournalRecordType, OrderStatus, OrderType, RiskEffect, RiskRule, Side } from '../../engine/index.ts';

/** The DuckDB column types the journal tables use (see migrations 2 and 4 in data/migrations.ts). */
export type ColumnType = 'BIGINT' | 'INTEGER' | 'UTINYINT' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN';
export type Cell = number | string | boolean | null;

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** A Unix-ms time: exported as a readable UTC timestamp. */
  time?: true;
}

/** A row as read back: BIGINT columns arrive as numbers (cast to DOUBLE on the way out; they are all < 2^53). */
export type Row = Record<string, unknown>;

type RecordOf<T extends RowRecordType> = Extract<JournalRecord, { type: T }>;

/** Record types stored one row per record through these tables; heartbeats go through HeartbeatBlock instead. */
export type RowRecordType = Exclude<JournalRecordType, 'heartbeat'>;

/**
 * One journal record type's table: its columns (after the `run_id, seq` that every table starts with), how a
 * record becomes a row, and how a row becomes the same record again. Writing, reading back, hashing read-back
 * journals and the CSV export all go through these, so the three cannot drift apart.
 */
export interface JournalTable<T extends RowRecordType = RowRecordType> {
  type: T;
  table: string;
  columns: readonly ColumnSpec[];
  toRow(record: RecordOf<T>): Cell[];
  fromRow(row: Row): RecordOf<T>;
}

const ts: ColumnSpec = { name: 'ts', type: 'BIGINT', time: true };
const col = (name: string, type: ColumnType): ColumnSpec => ({ name, type });
const double = (name: string): ColumnSpec => col(name, 'DOUBLE');
const varchar = (name: string): ColumnSpec => col(name, 'VARCHAR');
const timeCol = (name: string): ColumnSpec => ({ name, type: 'BIGINT', time: true });

/** An optional field as stored (NULL) and as read back (absent, not undefined: the canonical hash ignores both). */
const orNull = <V>(value: V | undefined): V | null => (value === undefined ? null : value);
function present<K extends string, V>(key: K, value: unknown): { [P in K]?: V } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
const num = (row: Row, key: string): number => row[key] as number;
const str = <S extends string = string>(row: Row, key: string): S => row[key] as S;

const orders: JournalTable<'order'> = {
  type: 'order',
  table: 'orders',
  columns: [
    ts,
    varchar('client_order_id'),
    col('side', 'INTEGER'),
    varchar('type'),
    double('quantity'),
    double('price'),
    double('trigger_price'),
    col('reduce_only', 'BOOLEAN'),
    col('close_position', 'BOOLEAN'),
    varchar('status'),
    double('filled_quantity'),
    double('average_price'),
    timeCol('created_at'),
    timeCol('updated_at'),
    varchar('note'),
  ],
  toRow: ({ ts, order: o, note }) => [
    ts,
    o.clientOrderId,
    o.side,
    o.type,
    o.quantity,
    orNull(o.price),
    orNull(o.triggerPrice),
    o.reduceOnly,
    orNull(o.closePosition),
    o.status,
    o.filledQuantity,
    o.averagePrice,
    o.createdAt,
    o.updatedAt,
    orNull(note),
  ],
  fromRow: (row) => ({
    type: 'order',
    ts: num(row, 'ts'),
    order: {
      clientOrderId: str(row, 'client_order_id'),
      side: num(row, 'side') as Side,
      type: str<OrderType>(row, 'type'),
      quantity: num(row, 'quantity'),
      ...present<'price', number>('price', row['price']),
      ...present<'triggerPrice', number>('triggerPrice', row['trigger_price']),
      reduceOnly: row['reduce_only'] as boolean,
      ...present<'closePosition', boolean>('closePosition', row['close_position']),
      status: str<OrderStatus>(row, 'status'),
      filledQuantity: num(row, 'filled_quantity'),
      averagePrice: num(row, 'average_price'),
      createdAt: num(row, 'created_at'),
      updatedAt: num(row, 'updated_at'),
    },
    ...present<'note', string>('note', row['note']),
  }),
};

const fills: JournalTable<'fill'> = {
  type: 'fill',
  table: 'fills',
  columns: [
    ts,
    timeCol('fill_ts'),
    varchar('client_order_id'),
    col('side', 'INTEGER'),
    double('quantity'),
    double('price'),
    double('fee'),
    varchar('liquidity'),
    varchar('reason'),
    double('realized_pnl'),
  ],
  toRow: ({ ts, fill: f }) => [ts, f.ts, f.clientOrderId, f.side, f.quantity, f.price, f.fee, f.liquidity, f.reason, f.realizedPnl],
  fromRow: (row) => ({
    type: 'fill',
    ts: num(row, 'ts'),
    fill: {
      ts: num(row, 'fill_ts'),
      clientOrderId: str(row, 'client_order_id'),
      side: num(row, 'side') as Side,
      quantity: num(row, 'quantity'),
      price: num(row, 'price'),
      fee: num(row, 'fee'),
      liquidity: str<'maker' | 'taker'>(row, 'liquidity'),
      reason: str<FillReason>(row, 'reason'),
      realizedPnl: num(row, 'realized_pnl'),
    },
  }),
};

const funding: JournalTable<'funding'> = {
  type: 'funding',
  table: 'funding',
  columns: [ts, double('rate'), double('mark_price'), double('payment'), double('quantity')],
  toRow: (r) => [r.ts, r.rate, r.markPrice, r.payment, r.quantity],
  fromRow: (row) => ({
    type: 'funding',
    ts: num(row, 'ts'),
    rate: num(row, 'rate'),
    markPrice: num(row, 'mark_price'),
    payment: num(row, 'payment'),
    quantity: num(row, 'quantity'),
  }),
};

/** A rule's numbers vary by rule, so they are stored as a JSON object with sorted keys (DuckDB's json functions read it). */
const riskEvents: JournalTable<'risk'> = {
  type: 'risk',
  table: 'risk_events',
  columns: [ts, timeCol('event_ts'), varchar('rule'), varchar('effect'), varchar('reason'), varchar('values_json'), timeCol('until')],
  toRow: ({ ts, event: e }) => [ts, e.ts, e.rule, e.effect, e.reason, canonicalJson(e.values), orNull(e.until)],
  fromRow: (row) => ({
    type: 'risk',
    ts: num(row, 'ts'),
    event: {
      ts: num(row, 'event_ts'),
      rule: str<RiskRule>(row, 'rule'),
      effect: str<RiskEffect>(row, 'effect'),
      reason: str(row, 'reason'),
      values: JSON.parse(str(row, 'values_json')) as Record<string, number>,
      ...present<'until', number>('until', row['until']),
    },
  }),
};

const trades: JournalTable<'trade'> = {
  type: 'trade',
  table: 'trades',
  columns: [
    ts,
    varchar('side'),
    timeCol('entry_ts'),
    double('entry_price'),
    double('exit_price'),
    double('quantity'),
    double('pnl'),
    double('fees'),
    double('funding'),
    varchar('exit_reason'),
  ],
  toRow: (r) => [r.ts, r.side, r.entryTs, r.entryPrice, r.exitPrice, r.quantity, r.pnl, r.fees, r.funding, r.exitReason],
  fromRow: (row) => ({
    type: 'trade',
    ts: num(row, 'ts'),
    side: str<'long' | 'short'>(row, 'side'),
    entryTs: num(row, 'entry_ts'),
    entryPrice: num(row, 'entry_price'),
    exitPrice: num(row, 'exit_price'),
    quantity: num(row, 'quantity'),
    pnl: num(row, 'pnl'),
    fees: num(row, 'fees'),
    funding: num(row, 'funding'),
    exitReason: str(row, 'exit_reason'),
  }),
};

/** Equity marks outside heartbeats (the heartbeat rows carry their own); the `equity` view unites both. */
const equity: JournalTable<'equity'> = {
  type: 'equity',
  table: 'equity_marks',
  columns: [ts, double('equity'), double('wallet'), double('quantity'), double('mark_price')],
  toRow: (r) => [r.ts, r.equity, r.wallet, r.quantity, r.markPrice],
  fromRow: (row) => ({
    type: 'equity',
    ts: num(row, 'ts'),
    equity: num(row, 'equity'),
    wallet: num(row, 'wallet'),
    quantity: num(row, 'quantity'),
    markPrice: num(row, 'mark_price'),
  }),
};

/** Live configuration changes (promotions): the settings as canonical JSON, as the record carries them. */
const configChanges: JournalTable<'config'> = {
  type: 'config',
  table: 'config_changes',
  columns: [ts, varchar('promotion_id'), varchar('source_run_id'), varchar('promoted_by'), varchar('previous_json'), varchar('config_json'), double('position')],
  toRow: (r) => [r.ts, r.promotionId, r.sourceRunId, r.promotedBy, r.previous, r.next, r.position],
  fromRow: (row) => ({
    type: 'config',
    ts: num(row, 'ts'),
    promotionId: str(row, 'promotion_id'),
    sourceRunId: str(row, 'source_run_id'),
    promotedBy: str(row, 'promoted_by'),
    previous: str(row, 'previous_json'),
    next: str(row, 'config_json'),
    position: num(row, 'position'),
  }),
};

/** Every journal table of one row per record, keyed by the record type it stores (heartbeats have their own columnar path). */
export const JOURNAL_TABLES: { readonly [T in RowRecordType]: JournalTable<T> } = {
  order: orders,
  fill: fills,
  funding,
  risk: riskEvents,
  trade: trades,
  equity,
  config: configChanges,
};

export const JOURNAL_TABLE_LIST: readonly JournalTable[] = Object.values(JOURNAL_TABLES) as JournalTable[];
