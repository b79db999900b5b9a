/** GET a studio API URL as JSON; a failure carries the API's message (and code) rather than a status line. */
export async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, ...init });
  const body = (await response.json().catch(() => null)) as (T & { message?: string; code?: string }) | null;
  if (!response.ok) throw new Error(body?.message ? `${body.message}${body.code ? ` (${body.code})` : ''}` : `HTTP ${response.status}`);
  return body as T;
}
