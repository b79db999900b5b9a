import type { XylenConfig } from '../config/index.ts';
import { protectiveLevels, type Coordinator, type Instrument, type OrderRequest, type Side } from '../engine/index.ts';
import type { CcxtBroker } from './CcxtBroker.ts';
import type { LiveRunner } from './LiveRunner.ts';

export interface ReconcileOutcome {
  action: 'clean' | 'adopted' | 'flattened';
  /** Signed position found on the exchange. */
  position: number;
  /** Open orders found (client ids). */
  found: string[];
  /** Orders placed to complete the protection (or to flatten). */
  placed: string[];
  entryId?: string;
}

const ID = /^xy-(\d+)-(E|SL|TP|X)$/;

/**
 * Before trading, make the exchange and this process agree. What is on the exchange wins: a position and open orders
 * left by an earlier run (a crash, a restart) are either adopted — the trade is taken over by the coordinator and
 * its stop-loss / take-profit, recomputed from the decision candle with the run's risk settings, are placed under
 * their deterministic ids if missing — or flattened (`live.on_start: flatten`): everything cancelled, the position
 * closed at market. Orders are never placed twice: ids are the coordinator's `xy-<decision ts>-E|SL|TP`, and an id
 * already on the exchange is adopted, not re-sent.
 */
export async function reconcile(deps: {
  broker: CcxtBroker;
  coordinator: Coordinator;
  runner: LiveRunner;
  config: XylenConfig;
  instrument: Instrument;
  /** Market time of the start (a flatten order's id). */
  start: number;
  log: (event: string, detail: Record<string, unknown>) => void;
}): Promise<ReconcileOutcome> {
  const { broker, coordinator, runner, config, instrument, log } = deps;
  const { quantity, openOrders } = await broker.sync();
  const found = openOrders.map((o) => o.clientOrderId);
  if (quantity === 0 && openOrders.length === 0) return { action: 'clean', position: 0, found, placed: [] };

  if (config.live.on_start === 'flatten') {
    await broker.cancelEverything();
    const placed: string[] = [];
    if (quantity !== 0) {
      const close: OrderRequest = { clientOrderId: `xy-${deps.start}-X`, side: quantity > 0 ? -1 : 1, type: 'MARKET', quantity: Math.abs(quantity), reduceOnly: true };
      const result = await broker.submit(close);
      placed.push(close.clientOrderId);
      log('reconcile_flatten', { position: quantity, status: result.status });
    }
    return { action: 'flattened', position: quantity, found, placed };
  }

  // The trade the orders belong to: the newest decision ts among our ids, on the book or (position only) in history.
  let entryTs: number | undefined;
  let entrySide: Side | undefined;
  let entryQty = 0;
  for (const o of openOrders) {
    const m = ID.exec(o.clientOrderId);
    if (!m || m[2] === 'X') continue;
    const ts = Number(m[1]);
    if (entryTs === undefined || ts > entryTs) entryTs = ts;
    if (m[2] === 'E') {
      entrySide = o.side;
      entryQty = o.quantity;
    }
  }
  if (entryTs === undefined && quantity !== 0) {
    for (const o of await broker.recentOrders()) {
      const m = ID.exec(o.clientOrderId);
      if (m && m[2] === 'E') entryTs = Math.max(entryTs ?? 0, Number(m[1]));
    }
  }
  const entryPending = openOrders.some((o) => o.clientOrderId === `xy-${entryTs}-E`);
  if (quantity === 0 && !entryPending) {
    // Protection left over from a closed trade: nothing to protect.
    await broker.cancelEverything();
    log('reconcile_stray_orders_cancelled', { found });
    return { action: 'clean', position: 0, found, placed: [] };
  }
  const side: Side = quantity !== 0 ? (quantity > 0 ? 1 : -1) : (entrySide ?? 1);
  const placed: string[] = [];
  if (entryTs !== undefined) {
    const decision = runner.decisionAt(entryTs);
    const snap = broker.snapshot();
    const price = decision?.close ?? snap.entryPrice;
    const levels = protectiveLevels({ action: side === 1 ? 'long' : 'short', price, ...(decision && Number.isFinite(decision.atr) ? { atr: decision.atr } : {}) }, config.risk);
    if (levels.status === 'OK') {
      const exitSide = -side as Side;
      const wanted: OrderRequest[] = [
        { clientOrderId: `xy-${entryTs}-SL`, side: exitSide, type: 'STOP_MARKET', quantity: Math.abs(quantity) || entryQty, triggerPrice: instrument.roundPrice(levels.stopLoss), reduceOnly: true, closePosition: true },
        { clientOrderId: `xy-${entryTs}-TP`, side: exitSide, type: 'TAKE_PROFIT_MARKET', quantity: Math.abs(quantity) || entryQty, triggerPrice: instrument.roundPrice(levels.takeProfit), reduceOnly: true, closePosition: true },
      ];
      for (const order of wanted) {
        if (found.includes(order.clientOrderId)) continue;
        const result = await broker.submit(order);
        placed.push(order.clientOrderId);
        log('reconcile_protection_placed', { clientOrderId: order.clientOrderId, status: result.status, ...(result.status === 'REJECTED' ? { reason: result.reason } : {}) });
        if (result.status === 'REJECTED' && result.reason === 'WOULD_IMMEDIATELY_TRIGGER' && quantity !== 0 && order.type === 'STOP_MARKET') {
          // The market already passed the stop while nobody watched: close now rather than run unprotected.
          const close: OrderRequest = { clientOrderId: `xy-${deps.start}-X`, side: exitSide, type: 'MARKET', quantity: Math.abs(quantity), reduceOnly: true };
          await broker.submit(close);
          placed.push(close.clientOrderId);
        }
      }
    }
    const row = decision?.row ?? -1;
    if (quantity !== 0) coordinator.adopt({ kind: 'position', side: side === 1 ? 'long' : 'short', entryTs, entryPrice: snap.entryPrice, quantity: Math.abs(quantity), row });
    else coordinator.adopt({ kind: 'pending', ts: entryTs, row });
  }
  log('reconcile_adopted', { position: quantity, found, placed });
  return { action: 'adopted', position: quantity, found, placed, ...(entryTs === undefined ? {} : { entryId: `xy-${entryTs}-E` }) };
}
