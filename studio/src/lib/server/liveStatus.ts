/** Whether a live process answers at its control URL. */
export interface LiveStatus {
  url: string;
  reachable: boolean;
  /** HTTP status when it answered; the network error when not. */
  status: number | null;
  error: string | null;
}

/** Ask the live process's control API for its health, for at most `timeoutMs`. */
export async function liveStatus(url: string, timeoutMs = 1000): Promise<LiveStatus> {
  try {
    const response = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { url, reachable: true, status: response.status, error: null };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { url, reachable: false, status: null, error: cause ?? (error instanceof Error ? error.message : String(error)) };
  }
}
