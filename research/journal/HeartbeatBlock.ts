import type { Action, DecisionOutcome, HeartbeatRecord } from '../../engine/index.ts';

/** Codes of the small closed vocabularies, stored as UTINYINT (the journal views decode them with these lists). */
export const ACTION_CODES: readonly Action[] = ['hold', 'long', 'short'];
export const OUTCOME_CODES: readonly DecisionOutcome[] = [
  'NO_QUORUM',
  'HOLD',
  'BELOW_THRESHOLD',
  'IN_POSITION',
  'RISK_DENIED',
  'HALTED',
  'ORDER_PLACED',
  'ORDER_REJECTED',
];
const ACTION_CODE: Record<Action, number> = { hold: 0, long: 1, short: 2 };
const OUTCOME_CODE = Object.fromEntries(OUTCOME_CODES.map((o, i) => [o, i])) as Record<DecisionOutcome, number>;

/** DuckDB's vector size: a block fills exactly one data chunk. */
export const BLOCK_ROWS = 2048;

/**
 * A run's voting models, numbered in the order they first vote: votes are stored as small indices into this list
 * (kept beside the run in `run_models`), not as a name per vote.
 */
export class VoteModels {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly onNew?: (index: number, name: string) => void) {}

  indexOf(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      if (i > 255) throw new RangeError(`more than 256 voting models in one run (at "${name}")`);
      this.names.push(name);
      this.index.set(name, i);
      this.onNew?.(i, name);
    }
    return i;
  }
}

/**
 * Up to 2048 heartbeat records as columns of typed arrays: what a data chunk of the `heartbeats` table holds and
 * what the journal hash reads. Features and votes are variable-length lists: offsets into one flat child array
 * each. Copying a record costs a few dozen typed-array writes and no allocation (the list buffers grow rarely).
 *
 * Values are canonical on the way in: −0 becomes 0 and every NaN the one NaN, so the bytes hashed are those that
 * read back from DuckDB.
 */
export class HeartbeatBlock {
  rows = 0;
  readonly seq = new Float64Array(BLOCK_ROWS);
  readonly ts = new Float64Array(BLOCK_ROWS);
  readonly row = new Int32Array(BLOCK_ROWS);
  readonly close = new Float64Array(BLOCK_ROWS);
  readonly equity = new Float64Array(BLOCK_ROWS);
  readonly wallet = new Float64Array(BLOCK_ROWS);
  readonly quantity = new Float64Array(BLOCK_ROWS);
  readonly markPrice = new Float64Array(BLOCK_ROWS);
  readonly action = new Uint8Array(BLOCK_ROWS);
  readonly confidence = new Float64Array(BLOCK_ROWS);
  readonly scoreLong = new Float64Array(BLOCK_ROWS);
  readonly scoreShort = new Float64Array(BLOCK_ROWS);
  readonly scoreHold = new Float64Array(BLOCK_ROWS);
  readonly outcome = new Uint8Array(BLOCK_ROWS);
  /** Comma-joined names (model names cannot hold a comma), or null. */
  readonly missing: (string | null)[] = new Array<string | null>(BLOCK_ROWS).fill(null);
  readonly detail: (string | null)[] = new Array<string | null>(BLOCK_ROWS).fill(null);
  /** 1 where the row's features are row `row` of the run's feature set (stored there, not with the heartbeat). */
  readonly inSet = new Uint8Array(BLOCK_ROWS);
  /** Row r's features are `features[featureStart[r] .. featureStart[r + 1])`. */
  readonly featureStart = new Int32Array(BLOCK_ROWS + 1);
  features = new Float64Array(BLOCK_ROWS * 32);
  /** Row r's votes are entries `voteStart[r] .. voteStart[r + 1]` of the four vote arrays. */
  readonly voteStart = new Int32Array(BLOCK_ROWS + 1);
  voteModel = new Uint8Array(BLOCK_ROWS * 4);
  voteAction = new Uint8Array(BLOCK_ROWS * 4);
  voteConfidence = new Float64Array(BLOCK_ROWS * 4);
  voteWeight = new Float64Array(BLOCK_ROWS * 4);

  constructor(private readonly models: VoteModels) {}

  get full(): boolean {
    return this.rows === BLOCK_ROWS;
  }

  /**
   * Copy one record in as the next row (the caller flushes a full block first). `inSet`: its features are row
   * `r.row` of the run's feature set; they are still copied, since the journal hash reads them.
   */
  add(seq: number, r: HeartbeatRecord, inSet = false): void {
    const i = this.rows++;
    this.seq[i] = seq;
    this.inSet[i] = inSet ? 1 : 0;
    this.ts[i] = r.ts;
    this.row[i] = r.row;
    this.close[i] = canonical(r.close);
    this.equity[i] = canonical(r.equity);
    this.wallet[i] = canonical(r.wallet);
    this.quantity[i] = canonical(r.quantity);
    this.markPrice[i] = canonical(r.markPrice);
    this.action[i] = ACTION_CODE[r.action];
    this.confidence[i] = canonical(r.confidence);
    this.scoreLong[i] = canonical(r.scores.long);
    this.scoreShort[i] = canonical(r.scores.short);
    this.scoreHold[i] = canonical(r.scores.hold);
    this.outcome[i] = OUTCOME_CODE[r.outcome];
    this.missing[i] = r.missing === undefined || r.missing.length === 0 ? null : r.missing.join(',');
    this.detail[i] = r.detail ?? null;

    const f0 = this.featureStart[i]!;
    const width = r.features.length;
    if (f0 + width > this.features.length) this.features = grow(this.features, f0 + width);
    const features = this.features;
    for (let k = 0; k < width; k++) features[f0 + k] = canonical(r.features[k]!);
    this.featureStart[i + 1] = f0 + width;

    const v0 = this.voteStart[i]!;
    const n = r.votes.length;
    if (v0 + n > this.voteModel.length) this.growVotes(v0 + n);
    for (let k = 0; k < n; k++) {
      const vote = r.votes[k]!;
      this.voteModel[v0 + k] = this.models.indexOf(vote.model);
      this.voteAction[v0 + k] = ACTION_CODE[vote.action];
      this.voteConfidence[v0 + k] = canonical(vote.confidence);
      this.voteWeight[v0 + k] = canonical(vote.weight);
    }
    this.voteStart[i + 1] = v0 + n;
  }

  /** Empty the block for the next rows (list buffers are kept). */
  clear(): void {
    this.missing.fill(null, 0, this.rows);
    this.detail.fill(null, 0, this.rows);
    this.rows = 0;
  }

  /**
   * The block's bytes in a fixed order, column by column (only the filled rows), for the journal hash. Strings are
   * written as their UTF-8 with a length, NULL as length −1.
   */
  *chunks(): Generator<Uint8Array> {
    const n = this.rows;
    const bytes = (a: Float64Array | Int32Array | Uint8Array, count: number) => new Uint8Array(a.buffer, a.byteOffset, count * a.BYTES_PER_ELEMENT);
    yield bytes(this.seq, n);
    yield bytes(this.ts, n);
    yield bytes(this.row, n);
    for (const column of [this.close, this.equity, this.wallet, this.quantity, this.markPrice]) yield bytes(column, n);
    yield bytes(this.action, n);
    for (const column of [this.confidence, this.scoreLong, this.scoreShort, this.scoreHold]) yield bytes(column, n);
    yield bytes(this.outcome, n);
    yield texts(this.missing, n);
    yield texts(this.detail, n);
    yield bytes(this.featureStart, n + 1);
    yield bytes(this.features, this.featureStart[n]!);
    const votes = this.voteStart[n]!;
    yield bytes(this.voteStart, n + 1);
    yield bytes(this.voteModel, votes);
    yield bytes(this.voteAction, votes);
    yield bytes(this.voteConfidence, votes);
    yield bytes(this.voteWeight, votes);
  }

  private growVotes(needed: number): void {
    this.voteModel = grow(this.voteModel, needed);
    this.voteAction = grow(this.voteAction, needed);
    this.voteConfidence = grow(this.voteConfidence, needed);
    this.voteWeight = grow(this.voteWeight, needed);
  }
}

/** −0 is 0 and NaN is one NaN, as DuckDB gives them back. */
function canonical(x: number): number {
  return x === 0 ? 0 : x === x ? x : Number.NaN;
}

function grow<T extends Float64Array | Uint8Array>(array: T, needed: number): T {
  const next = new (array.constructor as new (n: number) => T)(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

function texts(values: readonly (string | null)[], n: number): Uint8Array {
  let out = '';
  for (let i = 0; i < n; i++) {
    const v = values[i];
    out += v === null || v === undefined ? '\u0000-1;' : `${Buffer.byteLength(v)};${v}`;
  }
  return Buffer.from(out, 'utf8');
}
