import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import type { Interval } from '../../engine/index.ts';
import { startLoopbackServer, type LoopbackServer } from './LoopbackServer.ts';
import type { KlineRow } from './realKlines.ts';

export interface PublicDataServerOptions {
  market: 'usdm' | 'spot';
  symbol: string;
  interval: Interval;
  klines: readonly KlineRow[];
  /** File names (`BTCUSDT-1m-2025-05.zip`) answered with 404 even though there are rows for them. */
  missing?: readonly string[];
  /** File names whose `.CHECKSUM` holds a digest that does not match the zip. */
  wrongChecksum?: readonly string[];
}

/** The header of Binance's futures kline files (spot files have none). */
export const FUTURES_KLINE_HEADER = 'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';

/**
 * Binance's public data files (data.binance.vision layout), built on the fly from kline rows:
 * `/data/futures/um/{monthly,daily}/klines/SYMBOL/INTERVAL/SYMBOL-INTERVAL-{YYYY-MM,YYYY-MM-DD}.zip`
 * (spot under `/data/spot/…`), each a zip of one CSV, with a `.CHECKSUM` sibling holding
 * `sha256  name` as `sha256sum` prints it. Periods without rows answer 404 like S3 does.
 */
export async function startPublicDataServer(options: PublicDataServerOptions): Promise<LoopbackServer> {
  const { symbol, interval } = options;
  const root = `/data/${options.market === 'usdm' ? 'futures/um' : 'spot'}`;
  const pattern = new RegExp(`^${root}/(monthly|daily)/klines/${symbol}/${interval}/(${symbol}-${interval}-(\\d{4}-\\d{2}(?:-\\d{2})?)\\.zip)(\\.CHECKSUM)?$`);
  const zips = new Map<string, Uint8Array>();

  const zipFor = (name: string, period: string): Uint8Array | undefined => {
    const cached = zips.get(name);
    if (cached) return cached;
    const rows = options.klines.filter((k) => new Date(k[0]).toISOString().startsWith(period));
    if (rows.length === 0) return undefined;
    const lines = rows.map((k) => k.join(','));
    if (options.market === 'usdm') lines.unshift(FUTURES_KLINE_HEADER);
    const csv = strToU8(`${lines.join('\n')}\n`);
    const zip = zipSync({ [name.replace(/\.zip$/, '.csv')]: [csv, { mtime: new Date(rows[0]![0]) }] });
    zips.set(name, zip);
    return zip;
  };

  return startLoopbackServer((request, response) => {
    const match = pattern.exec(request.path);
    const [, granularity, name, period, checksum] = match ?? [];
    const periodFits = granularity === 'monthly' ? period?.length === 7 : period?.length === 10;
    const zip = match && periodFits && !options.missing?.includes(name!) ? zipFor(name!, period!) : undefined;
    if (!zip) {
      response.writeHead(404, { 'Content-Type': 'application/xml' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`);
      return;
    }
    if (checksum) {
      const digest = createHash('sha256').update(zip).digest('hex');
      const stated = options.wrongChecksum?.includes(name!) ? createHash('sha256').update(digest).digest('hex') : digest;
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end(`${stated}  ${name}\n`);
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': zip.byteLength });
    response.end(zip);
  });
}
