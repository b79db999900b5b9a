export interface AlertsOptions {
  /** Telegram Bot API: token and chat (both from the environment via the config). */
  telegramToken?: string | undefined;
  telegramChatId?: string | undefined;
  /** Bot API base URL [https://api.telegram.org]; tests point it at a loopback fake. */
  telegramApiUrl?: string;
  /** A generic webhook: each alert is POSTed as JSON `{level, title, text, ts}`. */
  webhookUrl?: string | undefined;
  /** Least time between two messages per channel [1000 ms]; alerts beyond a queue of 50 are dropped and counted. */
  minIntervalMs?: number;
  log: (event: string, detail: Record<string, unknown>) => void;
}

export interface Alert {
  level: 'info' | 'warning' | 'critical';
  title: string;
  text: string;
}

/**
 * Alerts to Telegram (Bot API `sendMessage`) and a webhook. `send` only enqueues: delivery runs on its own timer,
 * rate-limited per channel, and never blocks or fails trading — a failed delivery is logged (without the token,
 * which sits in the Bot API URL) and dropped.
 */
export class Alerts {
  private readonly queue: Alert[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastSent = 0;
  private inFlight: Promise<void> = Promise.resolve();
  dropped = 0;
  sent = 0;
  failed = 0;

  constructor(private readonly options: AlertsOptions) {}

  get enabled(): boolean {
    return Boolean((this.options.telegramToken && this.options.telegramChatId) || this.options.webhookUrl);
  }

  send(alert: Alert): void {
    if (!this.enabled) return;
    if (this.queue.length >= 50) {
      this.dropped++;
      return;
    }
    this.queue.push(alert);
    this.schedule();
  }

  /** Deliver what is queued (shutdown), waiting at most `ms`. */
  async flush(ms = 2000): Promise<void> {
    const deadline = Date.now() + ms;
    while ((this.queue.length > 0 || this.timer) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.inFlight;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = Math.max(0, this.lastSent + (this.options.minIntervalMs ?? 1000) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const alert = this.queue.shift();
      if (!alert) return;
      this.lastSent = Date.now();
      this.inFlight = this.deliver(alert).finally(() => this.schedule());
    }, wait);
    this.timer.unref();
  }

  private async deliver(alert: Alert): Promise<void> {
    const { telegramToken, telegramChatId, webhookUrl } = this.options;
    const text = `${alert.level === 'critical' ? '🛑' : alert.level === 'warning' ? '⚠️' : 'ℹ️'} ${alert.title}\n${alert.text}`;
    const jobs: Promise<void>[] = [];
    if (telegramToken && telegramChatId) {
      const base = (this.options.telegramApiUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
      jobs.push(this.post(`${base}/bot${telegramToken}/sendMessage`, { chat_id: telegramChatId, text, disable_web_page_preview: true }, 'telegram'));
    }
    if (webhookUrl) jobs.push(this.post(webhookUrl, { level: alert.level, title: alert.title, text: alert.text, ts: Date.now() }, 'webhook'));
    await Promise.all(jobs);
  }

  private async post(url: string, body: unknown, channel: string): Promise<void> {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
      if (response.ok) this.sent++;
      else {
        this.failed++;
        this.options.log('alert_failed', { channel, status: response.status });
      }
    } catch (error) {
      this.failed++;
      // The message of a fetch error never includes the URL, which for Telegram holds the token.
      this.options.log('alert_failed', { channel, message: (error as Error).name });
    }
  }
}
