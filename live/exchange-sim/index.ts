// Public API of the loopback Binance USDⓈ-M simulator.
export { startExchangeSim } from './ExchangeSim.ts';
export type { ExchangeSim, ExchangeSimOptions } from './ExchangeSim.ts';
export type { Fault } from './Faults.ts';
export type { Pace } from './SimClock.ts';
export { SimMarket } from './SimMarket.ts';
export { SimVenue } from './SimVenue.ts';
export { BinanceError } from './BinanceError.ts';
export { loadSimData } from './loadSimData.ts';
export type { SimData } from './loadSimData.ts';
