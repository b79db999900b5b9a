/** Binance's error body `{"code": -1021, "msg": "…"}` with the HTTP status it comes with. */
export class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly msg: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code} ${msg}`);
  }
}

/** The error codes the simulator answers with (Binance USDⓈ-M, see ../../../shared/reference/binance-usdm-futures.md §6). */
export const ERR = {
  disconnected: (status = 503): BinanceError => new BinanceError(status, -1001, 'Internal error; unable to process your request. Please try again.'),
  tooManyRequests: (limit: number, retryAfterS: number): BinanceError =>
    new BinanceError(429, -1003, `Too many requests; current limit is ${limit} requests per minute. Please use the websocket for live updates to avoid polling the API.`, {
      'Retry-After': String(retryAfterS),
    }),
  timestampAhead: (): BinanceError => new BinanceError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  timestampOutside: (): BinanceError => new BinanceError(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  badSignature: (): BinanceError => new BinanceError(400, -1022, 'Signature for this request is not valid.'),
  mandatory: (name: string): BinanceError => new BinanceError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  badPrecision: (): BinanceError => new BinanceError(400, -1111, 'Precision is over the maximum defined for this asset.'),
  badOrderType: (): BinanceError => new BinanceError(400, -1116, 'Invalid orderType.'),
  badSide: (): BinanceError => new BinanceError(400, -1117, 'Invalid side.'),
  badInterval: (): BinanceError => new BinanceError(400, -1120, 'Invalid interval.'),
  badSymbol: (): BinanceError => new BinanceError(400, -1121, 'Invalid symbol.'),
  illegalParam: (name: string): BinanceError => new BinanceError(400, -1130, `Data sent for parameter '${name}' is not valid.`),
  unknownOrder: (): BinanceError => new BinanceError(400, -2011, 'Unknown order sent.'),
  noSuchOrder: (): BinanceError => new BinanceError(400, -2013, 'Order does not exist.'),
  badApiKey: (): BinanceError => new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  marginInsufficient: (): BinanceError => new BinanceError(400, -2019, 'Margin is insufficient.'),
  wouldTrigger: (): BinanceError => new BinanceError(400, -2021, 'Order would immediately trigger.'),
  reduceOnlyReject: (): BinanceError => new BinanceError(400, -2022, 'ReduceOnly Order is rejected.'),
  maxPosition: (): BinanceError => new BinanceError(400, -2027, 'Exceeded the maximum allowable position at current leverage.'),
  tickSize: (): BinanceError => new BinanceError(400, -4014, 'Price not increased by tick size.'),
  closePositionQty: (): BinanceError => new BinanceError(400, -4137, 'Quantity must be zero with closePosition equals true.'),
  notRequired: (name: string): BinanceError => new BinanceError(400, -1106, `Parameter '${name}' sent when not required.`),
  qtyBelowMin: (): BinanceError => new BinanceError(400, -4003, 'Quantity less than or equal to zero.'),
  qtyAboveMax: (): BinanceError => new BinanceError(400, -4005, 'Quantity greater than max quantity.'),
  invalidLeverage: (): BinanceError => new BinanceError(400, -4028, 'Leverage is not valid'),
  noNeedMarginType: (): BinanceError => new BinanceError(400, -4046, 'No need to change margin type.'),
  positionSide: (): BinanceError => new BinanceError(400, -4061, "Order's position side does not match user's setting."),
  duplicateClientId: (): BinanceError => new BinanceError(400, -4116, 'ClientOrderId is duplicated.'),
  minNotional: (notional: string): BinanceError => new BinanceError(400, -4164, `Order's notional must be no smaller than ${notional} (unless you choose reduce only).`),
} as const;
