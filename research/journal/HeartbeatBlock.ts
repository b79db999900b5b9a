import { canonicalNumber, type Action, type DecisionOutcome, type FeatureMatrix, type HeartbeatRecord } from '../../engine/index.ts';

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
/**
 * An action's or an outcome's code: its index in the list above, found by comparing (a handful of interned strings),
 * not by a lookup through a computed key.
 */
const actionCode = (action: Action): number => ACTION_CODES.indexOf(action);
const outcomeCode = (outcome: DecisionOutcome): number => OUTCOME_CODES.indexOf(outcome);

/** DuckDB's vector size: a block fills exactly one data chunk. */
export const BLOCK_ROWS = 2048;

/**
 * A run's voting models, numbered in the order they first vote: votes are stored as small indices into this list
 * (kept beside the run in `run_models`), not as a name per vote. The journal stores names as they are added.
 */
export class VoteModels {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  /** Per vote slot, the index its model had last time (the same models vote in the same order, heartbeat after heartbeat). */
  private readonly lastAt: number[] = [];

  /** `indexOf` for the vote in slot `slot`: a string compare when the slot's model is the last one's, a map lookup otherwise. */
  indexAt(slot: number, name: string): number {
    const last = this.lastAt[slot];
    if (last !== undefined && this.names[last] === name) return last;
    const i = this.indexOf(name);
    this.lastAt[slot] = i;
    return i;
  }

  indexOf(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      if (i > 255) throw new RangeError(`more than 256 voting models in one run (at "${name}")`);
      this.names.push(name);
      this.index.set(name, i);
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
 * read back from DuckDB. A row whose features are a row of the run's feature set (`source`, canonical already) is
 * not copied: the table stores NULL for it and the hash reads the set's memory, so a year of replay copies no
 * features at all.
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
  /** The rows, in order, whose `missing` or `detail` is not null: few or none, so the rest need not be read one by one. */
  readonly textRows: number[] = [];
  /** The last row whose features are copied here rather than a row of the feature set (−1: none yet). */
  private lastCopied = -1;
  /** 1 where the row's features are row `row` of the run's feature set (stored there, not with the heartbeat). */
  readonly inSet = new Uint8Array(BLOCK_ROWS);
  /** Where row r's features start in the block's features as hashed: every row's, in order, set rows included. */
  readonly featureStart = new Int32Array(BLOCK_ROWS + 1);
  /** Row r's copied features are `features[stored[r] .. stored[r + 1])`: empty for a row of the feature set. */
  readonly stored = new Int32Array(BLOCK_ROWS + 1);
  features: Float64Array<ArrayBuffer>;
  /** Row r's votes are entries `voteStart[r] .. voteStart[r + 1]` of the four vote arrays. */
  readonly voteStart = new Int32Array(BLOCK_ROWS + 1);
  voteModel = new Uint8Array(BLOCK_ROWS * 4);
  voteAction = new Uint8Array(BLOCK_ROWS * 4);
  voteConfidence = new Float64Array(BLOCK_ROWS * 4);
  voteWeight = new Float64Array(BLOCK_ROWS * 4);

  /**
   * `source`: the run's feature set, whose rows the `inSet` rows are (canonical: `isCanonical`); without one, no
   * row may be added as in the set.
   */
  constructor(
    private readonly models: VoteModels,
    private readonly source?: FeatureMatrix,
  ) {
    this.features = new Float64Array(source ? 0 : BLOCK_ROWS * 32);
  }

  get full(): boolean {
    return this.rows === BLOCK_ROWS;
  }

  /**
   * Copy one record in as the next row (the caller flushes a full block first). `inSet`: its features are row
   * `r.row` of the run's feature set (`source`), and are not copied.
   */
  add(seq: number, r: HeartbeatRecord, inSet = false): void {
    const i = this.rows++;
    this.seq[i] = seq;
    this.inSet[i] = inSet ? 1 : 0;
    this.ts[i] = r.ts;
    this.row[i] = r.row;
    this.close[i] = canonicalNumber(r.close);
    this.equity[i] = canonicalNumber(r.equity);
    this.wallet[i] = canonicalNumber(r.wallet);
    this.quantity[i] = canonicalNumber(r.quantity);
    this.markPrice[i] = canonicalNumber(r.markPrice);
    this.action[i] = actionCode(r.action);
    this.confidence[i] = canonicalNumber(r.confidence);
    this.scoreLong[i] = canonicalNumber(r.scores.long);
    this.scoreShort[i] = canonicalNumber(r.scores.short);
    this.scoreHold[i] = canonicalNumber(r.scores.hold);
    this.outcome[i] = outcomeCode(r.outcome);
    this.missing[i] = r.missing === undefined || r.missing.length === 0 ? null : r.missing.join(',');
    this.detail[i] = r.detail ?? null;
    if (this.missing[i] !== null || this.detail[i] !== null) this.textRows.push(i);

    const width = r.features.length;
    this.featureStart[i + 1] = this.featureStart[i]! + width;
    const f0 = this.stored[i]!;
    if (inSet) {
      if (this.source === undefined) throw new RangeError('a heartbeat added as a feature set row to a block without the set');
      this.stored[i + 1] = f0;
    } else {
      this.lastCopied = i;
      if (f0 + width > this.features.length) this.features = grow(this.features, f0 + width);
      const features = this.features;
      for (let k = 0; k < width; k++) features[f0 + k] = canonicalNumber(r.features[k]!);
      this.stored[i + 1] = f0 + width;
    }

    const v0 = this.voteStart[i]!;
    const n = r.votes.length;
    if (v0 + n > this.voteModel.length) this.growVotes(v0 + n);
    for (let k = 0; k < n; k++) {
      const vote = r.votes[k]!;
      this.voteModel[v0 + k] = this.models.indexAt(k, vote.model);
      this.voteAction[v0 + k] = actionCode(vote.action);
      this.voteConfidence[v0 + k] = canonicalNumber(vote.confidence);
      this.voteWeight[v0 + k] = canonicalNumber(vote.weight);
    }
    this.voteStart[i + 1] = v0 + n;
  }

  /** Whether a row `from … to` has a `missing` or `detail`. */
  hasText(from: number, to: number): boolean {
    return this.textRows.some((i) => i >= from && i < to);
  }

  /** Whether every row from `from` on has its features in the feature set (stored there: NULL here). */
  allInSet(from: number): boolean {
    return this.lastCopied < from;
  }

  /** Empty the block for the next rows (list buffers are kept). */
  clear(): void {
    for (const i of this.textRows) this.missing[i] = this.detail[i] = null;
    this.textRows.length = 0;
    this.lastCopied = -1;
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
    yield this.textBytes(this.missing, n);
    yield this.textBytes(this.detail, n);
    yield bytes(this.featureStart, n + 1);
    yield* this.featureBytes();
    const votes = this.voteStart[n]!;
    yield bytes(this.voteStart, n + 1);
    yield bytes(this.voteModel, votes);
    yield bytes(this.voteAction, votes);
    yield bytes(this.voteConfidence, votes);
    yield bytes(this.voteWeight, votes);
  }

  /** A text column's first `n` rows as hashed (`texts`): from a ready buffer when no row of the block has text. */
  private textBytes(values: readonly (string | null)[], n: number): Uint8Array {
    return this.textRows.length === 0 ? NULL_TEXTS.subarray(0, n * NULL_TEXT.length) : texts(values, n);
  }

  /** Every row's features in row order: copied ones from the block, set rows straight from the set's memory. */
  private *featureBytes(): Generator<Uint8Array> {
    const n = this.rows;
    for (let i = 0; i < n; ) {
      let j = i + 1;
      let values: Float64Array;
      if (this.inSet[i] === 1) {
        // A run of consecutive set rows is one range of the set's memory.
        while (j < n && this.inSet[j] === 1 && this.row[j] === this.row[j - 1]! + 1) j++;
        const at = this.row[i]! * this.source!.width;
        values = this.source!.values.subarray(at, at + this.featureStart[j]! - this.featureStart[i]!);
      } else {
        while (j < n && this.inSet[j] === 0) j++;
        values = this.features.subarray(this.stored[i]!, this.stored[j]!);
      }
      yield new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      i = j;
    }
  }

  private growVotes(needed: number): void {
    this.voteModel = grow(this.voteModel, needed);
    this.voteAction = grow(this.voteAction, needed);
    this.voteConfidence = grow(this.voteConfidence, needed);
    this.voteWeight = grow(this.voteWeight, needed);
  }
}

function grow<T extends Float64Array | Uint8Array>(array: T, needed: number): T {
  const next = new (array.constructor as new (n: number) => T)(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

/** How `texts` writes a NULL. */
const NULL_TEXT = Buffer.from('\u0000-1;', 'utf8');
/** A block's rows all NULL, as `texts` writes them. */
const NULL_TEXTS = Buffer.alloc(BLOCK_ROWS * NULL_TEXT.length, NULL_TEXT);

function texts(values: readonly (string | null)[], n: number): Uint8Array {
  let out = '';
  for (let i = 0; i < n; i++) {
    const v = values[i];
    out += v === null || v === undefined ? '\u0000-1;' : `${Buffer.byteLength(v)};${v}`;
  }
  return Buffer.from(out, 'utf8');
}
