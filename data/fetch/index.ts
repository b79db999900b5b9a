export { fetchWithCcxt } from './fetchWithCcxt.ts';
export type { CcxtFetchOptions, CcxtFetchResult, FetchRequest, SeriesFetchSummary } from './fetchWithCcxt.ts';
export { fetchPublicFiles, publicDataFiles, PUBLIC_DATA_URL } from './fetchPublicFiles.ts';
export type { FilesFetchOptions, FilesFetchResult, PublicDataFile, PublicFileOutcome } from './fetchPublicFiles.ts';
export { createBinanceClient, loadCcxt, parseBaseUrl } from './createBinanceClient.ts';
export type { BinanceClientOptions, Ccxt, FetchMarket } from './createBinanceClient.ts';
export { DEFAULT_RETRY_POLICY } from './retryWithBackoff.ts';
export type { RetryPolicy } from './retryWithBackoff.ts';
