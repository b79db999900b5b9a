import { timingSafeEqual } from 'node:crypto';

/** The cookie that carries the token once the browser has opened the studio's `?token=…` link. */
export const TOKEN_COOKIE = 'xylen_studio_token';

/** Methods that never change state: they need no token. */
export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Compare in constant time, so the token cannot be guessed a character at a time from response times. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (!given || !token) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: `X-Xylen-Token`, `Authorization: Bearer …`, or the cookie. */
export function requestToken(headers: Headers, cookie: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.get('authorization') ?? '')?.[1];
  return headers.get('x-xylen-token') ?? bearer ?? cookie;
}
