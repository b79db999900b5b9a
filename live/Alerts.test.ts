import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, startLoopbackServer, type LoopbackServer } from '../test/servers/LoopbackServer.ts';
import { Alerts } from './Alerts.ts';

const TOKEN = '999:alertTokenThatMustNeverBeLogged';
let bot: LoopbackServer | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

async function fakeBot(status = 200) {
  const received: { path: string; body: Record<string, unknown>; at: number }[] = [];
  bot = await startLoopbackServer(async (request, response, raw) => {
    let body = '';
    for await (const chunk of raw) body += String(chunk);
    received.push({ path: request.path, body: JSON.parse(body) as Record<string, unknown>, at: performance.now() });
    sendJson(response, status, status === 200 ? { ok: true, result: {} } : { ok: false, description: 'Bad Request: chat not found' });
  });
  return received;
}

describe('alerts to the Telegram Bot API and a webhook', () => {
  it('sends sendMessage to the chat, rate-limited, without ever blocking the caller', async () => {
    const received = await fakeBot();
    const alerts = new Alerts({ telegramToken: TOKEN, telegramChatId: '42', telegramApiUrl: bot!.url, webhookUrl: `${bot!.url}/hook`, minIntervalMs: 100, log: () => undefined });
    const started = performance.now();
    for (let i = 0; i < 3; i++) alerts.send({ level: 'info', title: `t${i}`, text: 'x' });
    expect(performance.now() - started).toBeLessThan(5);
    await alerts.flush(3000);
    const telegram = received.filter((r) => r.path === `/bot${TOKEN}/sendMessage`);
    expect(telegram.map((r) => r.body['chat_id'])).toEqual(['42', '42', '42']);
    expect(String(telegram[2]!.body['text'])).toContain('t2');
    expect(received.filter((r) => r.path === '/hook')).toHaveLength(3);
    // Three messages at least 100 ms apart when sent: the last cannot arrive before 200 ms after the first send
    // (measured from the send, not the first arrival, whose connection setup a loaded machine delays; without the
    // limit all three land within a few ms).
    expect(telegram[2]!.at - started).toBeGreaterThanOrEqual(200);
  });

  it('drops beyond its queue, and logs failures without the token', async () => {
    await fakeBot(400);
    const lines: string[] = [];
    const alerts = new Alerts({ telegramToken: TOKEN, telegramChatId: '1', telegramApiUrl: bot!.url, minIntervalMs: 0, log: (event, detail) => lines.push(JSON.stringify({ event, ...detail })) });
    for (let i = 0; i < 60; i++) alerts.send({ level: 'warning', title: 'x', text: 'y' });
    expect(alerts.dropped).toBeGreaterThanOrEqual(9);
    await alerts.flush(5000);
    expect(alerts.failed).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('alert_failed'))).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
    // An unreachable Bot API fails quietly too.
    const dead = new Alerts({ telegramToken: TOKEN, telegramChatId: '1', telegramApiUrl: 'http://127.0.0.1:9', minIntervalMs: 0, log: (event, detail) => lines.push(JSON.stringify({ event, ...detail })) });
    dead.send({ level: 'critical', title: 'x', text: 'y' });
    await dead.flush(3000);
    expect(dead.failed).toBe(1);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });
});
