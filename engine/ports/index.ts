export type { Broker } from './Broker.ts';
export type { MarketFeed, FeedCandle } from './MarketFeed.ts';
export type { ModelClient, ModelRequest, TradeOutcome } from './ModelClient.ts';
export { MemoryJournal, retainRecord } from './Journal.ts';
export type { DecisionOutcome, HeartbeatRecord, Journal, JournalRecord, JournalRecordType } from './Journal.ts';
