import type { Handle, HandleServerError } from '@sveltejs/kit';
import { describeFailure } from './lib/server/httpErrors.ts';
import { services } from './lib/server/services.ts';
import { requestToken, SAFE_METHODS, TOKEN_COOKIE, tokenMatches } from './lib/server/studioToken.ts';

/**
 * Every request: `?token=…` (the link `xylen studio` prints) sets the token cookie and drops the token from the URL;
 * any request that could change state (not GET/HEAD/OPTIONS) needs the token, or it is refused with 401 and a page
 * that says how to get it. Reading needs no token: the studio binds 127.0.0.1 unless told otherwise.
 */
export const handle: Handle = async ({ event, resolve }) => {
  const { token } = services().settings;
  const given = event.url.searchParams.get('token');
  if (given !== null) {
    if (!tokenMatches(given, token)) return refusal(event.url.pathname, 'That link carries a token that is not this studio’s.');
    const clean = new URL(event.url);
    clean.searchParams.delete('token');
    const cookie = event.cookies.serialize(TOKEN_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: false, maxAge: 60 * 60 * 24 * 30 });
    return new Response(null, { status: 303, headers: { location: `${clean.pathname}${clean.search}`, 'set-cookie': cookie } });
  }
  event.locals.authorized = tokenMatches(requestToken(event.request.headers, event.cookies.get(TOKEN_COOKIE)), token);
  if (!SAFE_METHODS.has(event.request.method) && !event.locals.authorized) {
    return refusal(event.url.pathname, 'This action changes the store, so it needs the studio’s token.');
  }
  const started = performance.now();
  const response = await resolve(event);
  // The browser's own timing shows it (PerformanceNavigationTiming.serverTiming): the studio's share of a page load.
  // A page's load may have added its own phases (e.g. the run page's `head`): the total goes after them.
  const total = `studio;dur=${(performance.now() - started).toFixed(1)}`;
  try {
    const phases = response.headers.get('server-timing');
    response.headers.set('server-timing', phases ? `${phases}, ${total}` : total);
  } catch {
    // a response with immutable headers (a proxied fetch) keeps its own
  }
  return response;
};

function refusal(path: string, reason: string): Response {
  const hint = 'Open the link that `xylen studio` printed when it started (…/?token=…), or send the token of XYLEN_STUDIO_TOKEN in an X-Xylen-Token header.';
  if (path.startsWith('/api/')) {
    return new Response(JSON.stringify({ code: 'TOKEN_REQUIRED', message: reason, hint }), { status: 401, headers: { 'content-type': 'application/json' } });
  }
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Token needed · Xylen studio</title>
<style>body{background:#03050a;color:#dce6ff;font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh}
main{max-width:36rem;border:1px solid #1c2a4a;background:#0a0f1c;border-radius:10px;padding:2rem}h1{color:#2e9bff;margin-top:0;font-size:1.4rem}
code{color:#5cc8ff}a{color:#5cc8ff}</style></head><body><main><h1>Token needed</h1><p>${reason}</p><p>${hint.replace(/`([^`]+)`/g, '<code>$1</code>')}</p>
<p><a href="/">Back to the studio</a></p></main></body></html>`;
  return new Response(page, { status: 401, headers: { 'content-type': 'text/html; charset=utf-8' } });
}

/** Failures nobody turned into a page: a Xylen error keeps its code and hint; anything else is logged here, never shown as a stack trace. */
export const handleError: HandleServerError = ({ error, status, message }) => {
  const described = describeFailure(error);
  if (described) return described.body;
  if (status === 404) return { message: 'There is no such page in the studio.', code: 'NOT_FOUND' };
  console.error(error);
  return {
    message: `The studio hit an unexpected error: ${error instanceof Error ? error.message : message}`,
    code: 'INTERNAL',
    hint: 'the terminal running `xylen studio` has the details; please report it',
  };
};
