import type { Store } from '../../../../data/index.ts';
import { inputError } from '../../../../engine/index.ts';
import { ACTION_CODES, OUTCOME_CODES } from '../../../../research/index.ts';

/** The journal tables the run page pages through, by the name the page (and its URL) uses. */
export const PAGED_TABLES = ['decisions', 'trades', 'funding', 'risk', 'fills'] as const;
export type PagedTable = (typeof PAGED_TABLES)[number];

export interface PageRequest {
  /** 1-based. */
  page?: number;
  size?: number;
  /** decisions only: keep one outcome / one aggregate action. */
  outcome?: string | undefined;
  action?: string | undefined;
  /** decisions only: open the page holding the first decision at or after this time (Unix ms); overrides `page`. */
  at?: number | undefined;
}

export interface TablePage<Row> {
  table: PagedTable;
  page: number;
  size: number;
  /** Rows matching the filters, and pages of them. */
  total: number;
  pages: number;
  rows: Row[];
}

export interface Vote {
  model: string;
  action: string;
  confidence: number;
  weight: number;
}

export interface DecisionRow {
  seq: number;
  ts: number;
  action: string;
  confidence: number;
  scores: { long: number; short: number; hold: number };
  answered: number;
  missing: string | null;
  outcome: string;
  detail: string | null;
  votes: Vote[];
}

export interface DecisionPage extends TablePage<DecisionRow> {
  outcome: string | null;
  action: string | null;
  /** Decisions per outcome and per action over the whole run (for the filters). */
  outcomes: Record<string, number>;
  actions: Record<string, number>;
  /** The models that voted, in the order of the run's manifest. */
  models: string[];
}

export type JournalRow = Record<string, number | string | boolean | null>;

/** Rows per page: default and bounds. */
export const PAGE_SIZE = { default: 25, min: 10, max: 500 };

/** The columns each plain table shows (journalTables.ts names; BIGINT read as DOUBLE), oldest record first. */
const PLAIN_TABLES: Record<Exclude<PagedTable, 'decisions'>, { table: string; columns: string }> = {
  trades: {
    table: 'trades',
    columns: `seq::DOUBLE AS seq, entry_ts::DOUBLE AS entry_ts, ts::DOUBLE AS ts, side, entry_price, exit_price, quantity, pnl, fees, funding, pnl - fees + funding AS net, exit_reason`,
  },
  funding: { table: 'funding', columns: `seq::DOUBLE AS seq, ts::DOUBLE AS ts, rate, mark_price, quantity, payment` },
  risk: { table: 'risk_events', columns: `seq::DOUBLE AS seq, event_ts::DOUBLE AS ts, rule, effect, reason, values_json, until::DOUBLE AS until` },
  fills: {
    table: 'fills',
    columns: `seq::DOUBLE AS seq, fill_ts::DOUBLE AS ts, client_order_id, side, quantity, price, fee, liquidity, reason, realized_pnl`,
  },
};

export function parsePagedTable(name: string): PagedTable {
  if ((PAGED_TABLES as readonly string[]).includes(name)) return name as PagedTable;
  throw inputError('BAD_TABLE', `no journal table "${name}" here`, { where: 'table', hint: `one of ${PAGED_TABLES.join(', ')}` });
}

function pageBounds(request: PageRequest): { page: number; size: number } {
  const size = Math.min(PAGE_SIZE.max, Math.max(PAGE_SIZE.min, Math.trunc(request.size ?? PAGE_SIZE.default)));
  const page = Math.max(1, Math.trunc(request.page ?? 1));
  return { page, size };
}

const pagesOf = (total: number, size: number) => Math.max(1, Math.ceil(total / size));

/** One page of a plain journal table of a run (trades, funding payments, risk events, fills). */
export async function journalPage(store: Store, runId: string, table: Exclude<PagedTable, 'decisions'>, request: PageRequest = {}): Promise<TablePage<JournalRow>> {
  const spec = PLAIN_TABLES[table];
  const counted = await store.all(`SELECT count(*)::DOUBLE AS n FROM ${spec.table} WHERE run_id = $1`, [runId]);
  const total = Number(counted[0]?.['n'] ?? 0);
  const { size } = pageBounds(request);
  const page = Math.min(pageBounds(request).page, pagesOf(total, size));
  const rows = await store.all(`SELECT ${spec.columns} FROM ${spec.table} WHERE run_id = $1 ORDER BY seq LIMIT $2 OFFSET $3`, [runId, size, (page - 1) * size]);
  return { table, page, size, total, pages: pagesOf(total, size), rows: rows as JournalRow[] };
}

/**
 * One page of a run's decisions with every model's vote and weight, the aggregate scores and the outcome (the
 * risk verdict), filtered by outcome or action, paged in SQL: a run of 100,000 decisions costs a page, not a run.
 * It reads the journal's `heartbeats` table itself, one wide row per decision with the votes as lists, rather than
 * the `decisions` and `predictions` views (which decode every row's codes, and unnest every vote of the run to
 * join them back): the facets group the small integer codes, and the page's votes come with its rows.
 */
export async function decisionPage(store: Store, runId: string, models: readonly string[], request: PageRequest = {}): Promise<DecisionPage> {
  // A filter the journal's codes do not know is no filter.
  const outcome = request.outcome && (OUTCOME_CODES as readonly string[]).includes(request.outcome) ? request.outcome : null;
  const action = request.action && (ACTION_CODES as readonly string[]).includes(request.action) ? request.action : null;
  const outcomeCode = outcome === null ? null : (OUTCOME_CODES as readonly string[]).indexOf(outcome);
  const actionCode = action === null ? null : (ACTION_CODES as readonly string[]).indexOf(action);
  const facets = await store.all(`SELECT outcome, action, count(*)::DOUBLE AS n FROM heartbeats WHERE run_id = $1 GROUP BY ALL`, [runId]);
  const outcomes: Record<string, number> = {};
  const actions: Record<string, number> = {};
  let total = 0;
  for (const row of facets) {
    const n = Number(row['n']);
    const o = Number(row['outcome']);
    const a = Number(row['action']);
    const oName = OUTCOME_CODES[o] ?? String(o);
    const aName = ACTION_CODES[a] ?? String(a);
    outcomes[oName] = (outcomes[oName] ?? 0) + n;
    actions[aName] = (actions[aName] ?? 0) + n;
    if ((outcomeCode === null || o === outcomeCode) && (actionCode === null || a === actionCode)) total += n;
  }
  const filter = `run_id = $1 AND ($2::INTEGER IS NULL OR outcome = $2) AND ($3::INTEGER IS NULL OR action = $3)`;
  const { size } = pageBounds(request);
  let page = pageBounds(request).page;
  if (request.at !== undefined && Number.isFinite(request.at)) {
    const before = await store.all(`SELECT count(*)::DOUBLE AS n FROM heartbeats WHERE ${filter} AND ts < $4::BIGINT`, [runId, outcomeCode, actionCode, Math.trunc(request.at)]);
    page = Math.floor(Number(before[0]?.['n'] ?? 0) / size) + 1;
  }
  page = Math.min(page, pagesOf(total, size));
  const [rows, names] = await Promise.all([
    store.all(
      `SELECT seq::DOUBLE AS seq, ts::DOUBLE AS ts, action, confidence, score_long, score_short, score_hold, missing, outcome, detail,
         list_transform(votes, v -> v.model) AS vote_model, list_transform(votes, v -> v.action) AS vote_action,
         list_transform(votes, v -> v.confidence) AS vote_confidence, list_transform(votes, v -> v.weight) AS vote_weight
       FROM heartbeats WHERE ${filter} ORDER BY seq LIMIT $4 OFFSET $5`,
      [runId, outcomeCode, actionCode, size, (page - 1) * size],
    ),
    store.all(`SELECT model_index, model FROM run_models WHERE run_id = $1`, [runId]),
  ]);
  const modelAt = new Map(names.map((r) => [Number(r['model_index']), String(r['model'])]));
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : ((value as { items?: unknown[] } | null)?.items ?? []));
  const decoded = rows.map((r) => {
    const indices = list(r['vote_model']);
    const voteActions = list(r['vote_action']);
    const confidences = list(r['vote_confidence']);
    const weights = list(r['vote_weight']);
    const votes: Vote[] = indices.map((m, k) => ({
      model: modelAt.get(Number(m)) ?? `#${String(m)}`,
      action: ACTION_CODES[Number(voteActions[k])] ?? String(voteActions[k]),
      confidence: Number(confidences[k]),
      weight: Number(weights[k]),
    }));
    return {
      seq: Number(r['seq']),
      ts: Number(r['ts']),
      action: ACTION_CODES[Number(r['action'])] ?? String(r['action']),
      confidence: Number(r['confidence']),
      scores: { long: Number(r['score_long']), short: Number(r['score_short']), hold: Number(r['score_hold']) },
      answered: indices.length,
      missing: r['missing'] === null ? null : String(r['missing']),
      outcome: OUTCOME_CODES[Number(r['outcome'])] ?? String(r['outcome']),
      detail: r['detail'] === null ? null : String(r['detail']),
      votes,
    };
  });
  const seen = new Set<string>();
  for (const row of decoded) for (const v of row.votes) seen.add(v.model);
  const ordered = [...models.filter((m) => seen.has(m)), ...[...seen].filter((m) => !models.includes(m)).sort()];
  return { table: 'decisions', page, size, total, pages: pagesOf(total, size), outcome, action, outcomes, actions, models: ordered, rows: decoded };
}
