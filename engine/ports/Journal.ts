import { copyVotes, type Action, type Vote } from '../ensemble/Prediction.ts';
import type { Fill, OrderState } from '../broker/Order.ts';
import type { RiskEvent } from '../risk/RiskEvent.ts';

/** Why a decision did or did not trade. */
export type DecisionOutcome = 'NO_QUORUM' | 'HOLD' | 'BELOW_THRESHOLD' | 'IN_POSITION' | 'RISK_DENIED' | 'HALTED' | 'ORDER_PLACED' | 'ORDER_REJECTED';

/**
 * One heartbeat, whole: the account as the heartbeat began, the feature row the models were asked with, every vote
 * (in the ensemble's order, by model name), the aggregate and what became of it. One record per decision instead of
 * one per fact keeps a year of 5m decisions at ~105k rows, which is what lets a replay journal as fast as it runs.
 */
export interface HeartbeatRecord {
  type: 'heartbeat';
  ts: number;
  row: number;
  close: number;
  /** The row's features in the run's feature order. A view into the engine's buffer: a journal that keeps it copies it. */
  features: Float64Array;
  equity: number;
  wallet: number;
  quantity: number;
  markPrice: number;
  /** The models that answered, as the ensemble weighed them (none after a halt: the models are not asked). */
  votes: readonly Vote[];
  action: Action;
  confidence: number;
  scores: Readonly<Record<Action, number>>;
  /** Enabled models that did not answer in time (failed, late, unhealthy), when any. */
  missing?: readonly string[];
  outcome: DecisionOutcome;
  detail?: string;
}

/**
 * Everything that happens in a run, in time order: the audit trail and the training set. Records are plain
 * data (numbers, strings, arrays) so that a journal can be hashed, stored and compared byte for byte;
 * nothing here carries wall-clock time or a run id (the store adds those).
 */
export type JournalRecord =
  | HeartbeatRecord
  | { type: 'order'; ts: number; order: OrderState; note?: string }
  | { type: 'fill'; ts: number; fill: Fill }
  | { type: 'funding'; ts: number; rate: number; markPrice: number; payment: number; quantity: number }
  | { type: 'risk'; ts: number; event: RiskEvent }
  | {
      type: 'trade';
      ts: number;
      side: 'long' | 'short';
      entryTs: number;
      entryPrice: number;
      exitPrice: number;
      quantity: number;
      /** Realized PnL (gross), fees and funding of the whole trade; net = pnl − fees + funding. */
      pnl: number;
      fees: number;
      funding: number;
      exitReason: string;
    }
  /** An equity mark outside a heartbeat (e.g. the end of a replay after the last decision). */
  | { type: 'equity'; ts: number; equity: number; wallet: number; quantity: number; markPrice: number }
  /**
   * The live configuration changed at this heartbeat, before its decision (`xylen promote`): which promotion, the run
   * it came from, who made it, the settings replaced and those now in force (canonical JSON of the config keys a
   * promotion sets: models with their versions, ensemble, sizing, risk), and the position held at the switch.
   */
  | { type: 'config'; ts: number; promotionId: string; sourceRunId: string; promotedBy: string; previous: string; next: string; position: number };

export type JournalRecordType = JournalRecord['type'];

/**
 * Where the engine writes its records. Replay and live use the same DuckDB-backed adapter; tests use MemoryJournal.
 * A record is only lent for the call: a journal that keeps it, or part of it, copies what it keeps.
 */
export interface Journal {
  record(entry: JournalRecord): void;
}

/**
 * A copy of a record that may be kept: the coordinator reuses its heartbeat record, the ensemble's votes and scores
 * in it, and the feature buffer it points into (live mode), so a journal that keeps heartbeats must keep copies.
 */
export function retainRecord(entry: JournalRecord): JournalRecord {
  if (entry.type !== 'heartbeat') return entry;
  // The coordinator's record holds `missing` and `detail` even when they are undefined; a kept copy has them only when set.
  const { missing, detail, ...rest } = entry;
  return {
    ...rest,
    features: entry.features.slice(),
    votes: copyVotes(entry.votes),
    scores: { ...entry.scores },
    ...(missing === undefined ? {} : { missing }),
    ...(detail === undefined ? {} : { detail }),
  };
}

/** A journal that keeps records in memory, in order. */
export class MemoryJournal implements Journal {
  readonly records: JournalRecord[] = [];

  record(entry: JournalRecord): void {
    this.records.push(retainRecord(entry));
  }

  ofType<T extends JournalRecordType>(type: T): Extract<JournalRecord, { type: T }>[] {
    return this.records.filter((r): r is Extract<JournalRecord, { type: T }> => r.type === type);
  }

  /** Every vote of every heartbeat, one entry per model per decision, with the decision's time and row. */
  votes(): (Vote & { ts: number; row: number })[] {
    return this.ofType('heartbeat').flatMap((h) => h.votes.map((v) => ({ ts: h.ts, row: h.row, ...v })));
  }
}
