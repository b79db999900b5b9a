import cliProgress from 'cli-progress';

export interface ProgressOptions {
  label: string;
  total: number;
  /** What is being counted, shown after the rate: "rows", "files", "candles". */
  unit: string;
  /** Suppress the bar (for --json output, or when the caller prints its own). */
  quiet?: boolean;
}

/**
 * A progress bar with rate and ETA on standard error. It appears only on a terminal and only once
 * a job has run for a second, so short commands and piped output stay clean.
 *
 * With `XYLEN_PROGRESS=json` in the environment (a program running xylen as a child, such as the studio), it writes
 * one JSON line per update instead, at most five a second, `{"progress":{"label","done","total","unit"}}`, also with
 * --json (stdout stays the command's own JSON).
 */
export class Progress {
  private readonly started = performance.now();
  private bar: cliProgress.SingleBar | undefined;
  private done = 0;
  private readonly enabled: boolean;
  private readonly json: boolean;
  private lastJson = -Infinity;

  constructor(private readonly options: ProgressOptions) {
    this.json = process.env['XYLEN_PROGRESS'] === 'json' && options.total > 0;
    this.enabled = !this.json && !options.quiet && process.stderr.isTTY === true && options.total > 0;
  }

  /** Add `count` finished units. */
  tick(count = 1): void {
    this.update(this.done + count);
  }

  update(done: number): void {
    this.done = done;
    if (this.json) return this.writeJson(false);
    if (!this.enabled) return;
    if (!this.bar) {
      if (performance.now() - this.started < 1000) return;
      this.bar = new cliProgress.SingleBar(
        {
          format: `${this.options.label} [{bar}] {percentage}% | {value}/{total} ${this.options.unit} | {rate}/s | ETA {eta_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          etaBuffer: 50,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.options.total, 0, { rate: '0' });
    }
    this.bar.update(done, { rate: formatRate(done / ((performance.now() - this.started) / 1000)) });
  }

  stop(): void {
    if (this.json) this.writeJson(true);
    this.bar?.stop();
    this.bar = undefined;
  }

  private writeJson(final: boolean): void {
    const now = performance.now();
    if (!final && now - this.lastJson < 200 && this.done < this.options.total) return;
    this.lastJson = now;
    const { label, total, unit } = this.options;
    process.stderr.write(`${JSON.stringify({ progress: { label, done: this.done, total, unit } })}\n`);
  }
}

function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '0';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(1);
}
