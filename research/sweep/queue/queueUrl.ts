import { Redis } from 'ioredis';
import { inputError, operationalError } from '../../../engine/index.ts';

/** A `redis://[user:password@]host:port[/db]` URL (or rediss:// for TLS), checked before anything connects to it. */
export function parseQueueUrl(text: string, where = '--queue'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw inputError('BAD_QUEUE_URL', `"${text}" is not a URL`, { where, hint: 'e.g. redis://127.0.0.1:6379/0' });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw inputError('BAD_QUEUE_URL', `the queue must be a Redis URL (redis:// or rediss://), not ${url.protocol}//`, { where, hint: 'e.g. redis://127.0.0.1:6379/0' });
  }
  if (url.pathname.length > 1 && !/^\/\d{1,2}$/.test(url.pathname)) {
    throw inputError('BAD_QUEUE_URL', `"${url.pathname.slice(1)}" is not a Redis database number`, { where, hint: 'the path is the database: redis://host:6379/0' });
  }
  return text;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(text: string): string {
  const url = new URL(text);
  if (url.password) url.password = '***';
  return url.toString();
}

/** Fail fast, with a message that says where, when Redis is not there (BullMQ alone would retry forever). */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {}); // reported below, once
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw operationalError('QUEUE_UNREACHABLE', `cannot reach Redis at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, {
      where: '--queue',
      hint: 'start redis-server there (Debian: apt-get install redis-server), or check the host, port and password',
      cause: error,
    });
  } finally {
    client.disconnect();
  }
}
