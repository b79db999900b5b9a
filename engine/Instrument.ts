import { inputError } from './XylenError.ts';

/** The exchange filters of a symbol, as Binance's exchangeInfo publishes them (PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL). */
export interface InstrumentSpec {
  symbol: string;
  /** Decimal strings keep the exact step: "0.10", "0.001". */
  tickSize: string;
  stepSize: string;
  minQty: string;
  maxQty: string;
  /** Minimum order value (price × quantity) in the quote asset. */
  minNotional: string;
}

/** BTCUSDT perpetual on Binance USDⓈ-M (exchangeInfo, 2025): tick 0.10, step 0.001, min notional 100 USDT. */
export const BTCUSDT_PERP: InstrumentSpec = {
  symbol: 'BTCUSDT',
  tickSize: '0.10',
  stepSize: '0.001',
  minQty: '0.001',
  maxQty: '1000',
  minNotional: '100',
};

export type OrderCheck =
  | { status: 'OK'; price: number; quantity: number }
  | { status: 'REJECTED'; reason: 'QTY_BELOW_MIN' | 'QTY_ABOVE_MAX' | 'NOTIONAL_BELOW_MIN' | 'PRICE_NOT_POSITIVE'; detail: string };

/**
 * Where prices and quantities meet the exchange's grid. Representation: plain float64 numbers that are
 * always an exact decimal multiple of the tick or step, produced only here. Rounding goes through integer
 * counts of ticks/steps (exact in a float64 up to 2^53) and back to the nearest double of the decimal, so
 * `roundPrice(x)` prints as Binance would accept it. Hot loops keep plain numbers; no bigint, no decimals library.
 */
export class Instrument {
  readonly tick: number;
  readonly step: number;
  readonly minQty: number;
  readonly maxQty: number;
  readonly minNotional: number;
  private readonly priceDecimals: number;
  private readonly qtyDecimals: number;

  constructor(readonly spec: InstrumentSpec) {
    this.tick = positiveDecimal(spec.tickSize, 'tickSize');
    this.step = positiveDecimal(spec.stepSize, 'stepSize');
    this.minQty = positiveDecimal(spec.minQty, 'minQty');
    this.maxQty = positiveDecimal(spec.maxQty, 'maxQty');
    this.minNotional = Number(spec.minNotional);
    this.priceDecimals = decimals(spec.tickSize);
    this.qtyDecimals = decimals(spec.stepSize);
  }

  get symbol(): string {
    return this.spec.symbol;
  }

  /** Nearest price on the tick grid ('nearest'), or the one at or below / at or above it. */
  roundPrice(price: number, mode: 'nearest' | 'down' | 'up' = 'nearest'): number {
    return toGrid(price, this.tick, this.priceDecimals, mode);
  }

  /** Quantities round down by default: never trade more than was sized. */
  roundQty(quantity: number, mode: 'nearest' | 'down' | 'up' = 'down'): number {
    return toGrid(quantity, this.step, this.qtyDecimals, mode);
  }

  /** Put an order on the grid and check it against the filters; a failing order is a value, not an exception. */
  checkOrder(price: number, quantity: number): OrderCheck {
    if (!(price > 0)) return { status: 'REJECTED', reason: 'PRICE_NOT_POSITIVE', detail: `price ${price}` };
    const p = this.roundPrice(price);
    const q = this.roundQty(quantity);
    if (q < this.minQty) return { status: 'REJECTED', reason: 'QTY_BELOW_MIN', detail: `quantity ${q} < minQty ${this.spec.minQty}` };
    if (q > this.maxQty) return { status: 'REJECTED', reason: 'QTY_ABOVE_MAX', detail: `quantity ${q} > maxQty ${this.spec.maxQty}` };
    if (p * q < this.minNotional) {
      return { status: 'REJECTED', reason: 'NOTIONAL_BELOW_MIN', detail: `notional ${(p * q).toFixed(2)} < ${this.spec.minNotional}` };
    }
    return { status: 'OK', price: p, quantity: q };
  }
}

function toGrid(value: number, unit: number, places: number, mode: 'nearest' | 'down' | 'up'): number {
  // A relative epsilon absorbs float noise such as 0.3 / 0.1 = 2.9999999999999996.
  const units = value / unit;
  const eps = 1e-9 * Math.max(1, Math.abs(units));
  const count = mode === 'nearest' ? Math.round(units) : mode === 'down' ? Math.floor(units + eps) : Math.ceil(units - eps);
  return Number((count * unit).toFixed(places));
}

function decimals(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

function positiveDecimal(text: string, field: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0)) {
    throw inputError('BAD_INSTRUMENT', `${field} must be a positive decimal string, got "${text}"`, { where: `instrument.${field}` });
  }
  return value;
}
