export type { Broker } from './Broker.ts';
export type { MarketFeed, FeedCandle } from './MarketFeed.ts';
export type { ModelClient, ModelRequest, TradeOutcome } from './ModelClient.ts';
export { MemoryJournal } from './Journal.ts';
export type { Journal, JournalRecord, JournalRecordType, DecisionOutcome } from './Journal.ts';
