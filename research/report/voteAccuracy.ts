import type { Store } from '../../data/index.ts';
import { ACTION_CODES, OUTCOME_CODES } from '../journal/HeartbeatBlock.ts';

const LONG = ACTION_CODES.indexOf('long');
const SHORT = ACTION_CODES.indexOf('short');
const HOLD = ACTION_CODES.indexOf('hold');
const ORDER_PLACED = OUTCOME_CODES.indexOf('ORDER_PLACED');

/** How one model's votes fared, by two definitions (see `voteAccuracy`). */
export interface ModelVoteAccuracy {
  model: string;
  /** Votes cast (heartbeats the model answered), and of them long, short, hold. */
  votes: number;
  longs: number;
  shorts: number;
  holds: number;
  /** Directional votes whose forward move is known and not zero, and the hits among them. */
  judged: number;
  hits: number;
  /** hits / judged; null when nothing was judged. */
  hitRate: number | null;
  /**
   * The hit rate a vote with the same long/short mix would score by chance in this market: (L·up + S·down) / (L + S),
   * where up and down are the shares of rising and falling forward moves over all judged heartbeats.
   */
  baseline: number | null;
  /** Trades where the model voted for the trade's side at the entry decision, and how many of them won. */
  withTrade: number;
  withTradeWon: number;
  /** Trades where it voted for the opposite side, and how many of them lost. */
  againstTrade: number;
  againstTradeLost: number;
  /** Trades where it voted hold, or gave no vote, at the entry decision. */
  abstained: number;
  /** (withTradeWon + againstTradeLost) / (withTrade + againstTrade); null without a directional vote on a trade. */
  tradeAccuracy: number | null;
}

export interface VoteAccuracy {
  /** Decision bars ahead that the forward move is measured over. */
  horizon: number;
  /** Heartbeats whose forward move is known and not zero, and the share of them that rose. */
  judgedBars: number;
  upShare: number | null;
  /** Closed trades, and how many of them were matched to their entry decision. */
  trades: number;
  matchedTrades: number;
  models: ModelVoteAccuracy[];
}

/**
 * Per-model vote accuracy of a journaled run, computed in DuckDB over every heartbeat (a year of 5m decisions is
 * ~105k rows × 4 votes; nothing is read back record by record). Two definitions:
 *
 * - **Forward move**: a long vote at heartbeat t is a hit when the close `horizon` decision bars later is above the
 *   close at t; a short vote when it is below. Hold votes, unchanged closes and the last `horizon` heartbeats are not
 *   judged. `baseline` is what the model's own long/short mix would score by chance in the same market.
 * - **Trade outcome**: each closed trade is matched to the decision that placed it (the last ORDER_PLACED heartbeat at
 *   or before the entry). A model that voted the trade's side "called it" when the trade won (net PnL after fees and
 *   funding > 0); one that voted the other side called it when the trade lost.
 */
export async function voteAccuracy(store: Store, runId: string, horizon = 1): Promise<VoteAccuracy> {
  const bars = await store.all(
    `WITH hb AS (SELECT close, lead(close, ${Math.max(1, Math.floor(horizon))}) OVER (ORDER BY seq) AS fwd FROM heartbeats WHERE run_id = $1)
     SELECT count(*) FILTER (WHERE fwd <> close)::DOUBLE AS judged, count(*) FILTER (WHERE fwd > close)::DOUBLE AS up FROM hb`,
    [runId],
  );
  const judgedBars = Number(bars[0]?.['judged'] ?? 0);
  const upShare = judgedBars > 0 ? Number(bars[0]!['up']) / judgedBars : null;

  const forward = await store.all(
    `WITH hb AS (
       SELECT close, lead(close, ${Math.max(1, Math.floor(horizon))}) OVER (ORDER BY seq) AS fwd, votes FROM heartbeats WHERE run_id = $1
     ), u AS (
       SELECT unnest(votes) AS vote, sign(fwd - close) AS move FROM hb
     ), v AS (
       SELECT vote.model AS model_index, vote.action AS action, move FROM u
     )
     SELECT m.model, count(*)::DOUBLE AS votes,
       count(*) FILTER (WHERE action = ${LONG})::DOUBLE AS longs, count(*) FILTER (WHERE action = ${SHORT})::DOUBLE AS shorts,
       count(*) FILTER (WHERE action = ${HOLD})::DOUBLE AS holds,
       count(*) FILTER (WHERE action = ${LONG} AND move <> 0)::DOUBLE AS judged_long,
       count(*) FILTER (WHERE action = ${SHORT} AND move <> 0)::DOUBLE AS judged_short,
       count(*) FILTER (WHERE (action = ${LONG} AND move > 0) OR (action = ${SHORT} AND move < 0))::DOUBLE AS hits
     FROM v JOIN run_models m ON m.run_id = $1 AND m.model_index = v.model_index
     GROUP BY m.model ORDER BY m.model`,
    [runId],
  );

  const tradeCount = await store.all(`SELECT count(*)::DOUBLE AS n FROM trades WHERE run_id = $1`, [runId]);
  const trades = Number(tradeCount[0]?.['n'] ?? 0);
  const withSide = `((action = ${LONG} AND side = 'long') OR (action = ${SHORT} AND side = 'short'))`;
  const againstSide = `((action = ${LONG} AND side = 'short') OR (action = ${SHORT} AND side = 'long'))`;
  const byTrade = await store.all(
    `WITH placed AS (
       SELECT ts, votes FROM heartbeats WHERE run_id = $1 AND outcome = ${ORDER_PLACED}
     ), t AS (
       SELECT seq, entry_ts, side, pnl - fees + funding AS net FROM trades WHERE run_id = $1
     ), matched AS (
       SELECT t.seq, t.side, t.net, p.votes FROM t ASOF JOIN placed p ON t.entry_ts >= p.ts
     ), u AS (
       SELECT seq, side, net, unnest(votes) AS vote FROM matched
     ), v AS (
       SELECT seq, side, net, vote.model AS model_index, vote.action AS action FROM u
     )
     SELECT m.model, (SELECT count(*) FROM matched)::DOUBLE AS matched,
       count(*) FILTER (WHERE ${withSide})::DOUBLE AS with_trade,
       count(*) FILTER (WHERE ${withSide} AND net > 0)::DOUBLE AS with_won,
       count(*) FILTER (WHERE ${againstSide})::DOUBLE AS against_trade,
       count(*) FILTER (WHERE ${againstSide} AND net <= 0)::DOUBLE AS against_lost
     FROM v JOIN run_models m ON m.run_id = $1 AND m.model_index = v.model_index
     GROUP BY m.model`,
    [runId],
  );
  const tradeRows = new Map(byTrade.map((r) => [String(r['model']), r]));
  const matchedTrades = byTrade.length > 0 ? Number(byTrade[0]!['matched']) : 0;

  const models = forward.map((r): ModelVoteAccuracy => {
    const model = String(r['model']);
    const t = tradeRows.get(model);
    const judgedLong = Number(r['judged_long']);
    const judgedShort = Number(r['judged_short']);
    const judged = judgedLong + judgedShort;
    const hits = Number(r['hits']);
    const withTrade = Number(t?.['with_trade'] ?? 0);
    const withTradeWon = Number(t?.['with_won'] ?? 0);
    const againstTrade = Number(t?.['against_trade'] ?? 0);
    const againstTradeLost = Number(t?.['against_lost'] ?? 0);
    return {
      model,
      votes: Number(r['votes']),
      longs: Number(r['longs']),
      shorts: Number(r['shorts']),
      holds: Number(r['holds']),
      judged,
      hits,
      hitRate: judged > 0 ? hits / judged : null,
      baseline: judged > 0 && upShare !== null ? (judgedLong * upShare + judgedShort * (1 - upShare)) / judged : null,
      withTrade,
      withTradeWon,
      againstTrade,
      againstTradeLost,
      abstained: trades - withTrade - againstTrade,
      tradeAccuracy: withTrade + againstTrade > 0 ? (withTradeWon + againstTradeLost) / (withTrade + againstTrade) : null,
    };
  });
  return { horizon, judgedBars, upShare, trades, matchedTrades, models };
}
