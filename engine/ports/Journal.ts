import type { Action } from '../ensemble/Prediction.ts';
import type { Fill, OrderState } from '../broker/Order.ts';
import type { RiskEvent } from '../risk/RiskEvent.ts';

/** Why a decision did or did not trade. */
export type DecisionOutcome = 'NO_QUORUM' | 'HOLD' | 'BELOW_THRESHOLD' | 'IN_POSITION' | 'RISK_DENIED' | 'HALTED' | 'ORDER_PLACED' | 'ORDER_REJECTED';

/**
 * Everything that happens in a run, in time order: the audit trail and the training set. Records are plain
 * data (numbers, strings, arrays) so that a journal can be hashed, stored and compared byte for byte;
 * nothing here carries wall-clock time or a run id (the store adds those).
 */
export type JournalRecord =
  | { type: 'snapshot'; ts: number; row: number; close: number; features: number[] }
  | { type: 'prediction'; ts: number; row: number; model: string; action: Action; confidence: number; weight: number }
  | {
      type: 'decision';
      ts: number;
      row: number;
      action: Action;
      confidence: number;
      scores: Record<Action, number>;
      answered: number;
      /** Enabled models that did not answer in time (failed, late, unhealthy), when any. */
      missing?: string[];
      outcome: DecisionOutcome;
      detail?: string;
    }
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
  | { type: 'equity'; ts: number; equity: number; wallet: number; quantity: number; markPrice: number };

export type JournalRecordType = JournalRecord['type'];

/** Where the engine writes its records. Replay and live use the same DuckDB-backed adapter; tests use MemoryJournal. */
export interface Journal {
  record(entry: JournalRecord): void;
}

/** A journal that keeps records in memory, in order. */
export class MemoryJournal implements Journal {
  readonly records: JournalRecord[] = [];

  record(entry: JournalRecord): void {
    this.records.push(entry);
  }

  ofType<T extends JournalRecordType>(type: T): Extract<JournalRecord, { type: T }>[] {
    return this.records.filter((r): r is Extract<JournalRecord, { type: T }> => r.type === type);
  }
}
