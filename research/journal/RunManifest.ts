import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Where the run's funding came from: the stored rates, or a configured constant (the report says which). */
export type FundingSource = { source: 'stored' } | { source: 'constant'; rate: number };

export interface RunModel {
  name: string;
  kind: string;
  /** What ran: `rule:<rule>`, or the registered version a `model:`/`inproc:` entry resolved to (`id@version`). */
  version?: string;
  /** SHA-256 of the model file that ran (registered or by path). */
  sha256?: string;
}

/**
 * What a run was made of, stored with it as JSON: enough to say what was replayed and to replay it again.
 * `config` is the effective config with secrets already masked (the caller masks it: a manifest is printed and
 * exported, so a secret must never reach it).
 */
export interface RunManifest {
  config: unknown;
  data: {
    market: string;
    symbol: string;
    baseInterval: string;
    decisionInterval: string;
    contextInterval: string;
    /** Unix ms, inclusive start and exclusive end of the replayed range. */
    from: number;
    to: number;
    /** Base candles replayed. */
    bars: number;
    /** `candleChecksum` of the loaded candles. */
    checksum: string;
    /** The feature names, in the order heartbeats store them (absent in runs stored before it was recorded). */
    features?: string[];
  };
  models: RunModel[];
  funding: FundingSource;
  code: CodeVersion;
  seed: number;
}

export interface CodeVersion {
  /** package.json's version. */
  version: string;
  /** `git rev-parse HEAD` of the checkout, or null when it is not a git checkout (or git is missing). */
  commit: string | null;
}

/**
 * SHA-256 over the bytes of the loaded candle columns, in the order given, each preceded by its name: two runs
 * with the same checksum saw the very same doubles.
 */
export function candleChecksum(columns: Readonly<Record<string, Float64Array>>): string {
  const hash = createHash('sha256');
  for (const [name, values] of Object.entries(columns)) {
    hash.update(`${name}:${values.length}\n`);
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex');
}

const REPO_ROOT = new URL('../../', import.meta.url);

/** The code that made a run. Read once per process: neither changes while it runs. */
export function codeVersion(): CodeVersion {
  cachedCodeVersion ??= {
    version: (JSON.parse(readFileSync(new URL('package.json', REPO_ROOT), 'utf8')) as { version: string }).version,
    commit: gitCommit(),
  };
  return cachedCodeVersion;
}
let cachedCodeVersion: CodeVersion | undefined;

function gitCommit(): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return /^[0-9a-f]{40}$/.test(out.trim()) ? out.trim() : null;
  } catch {
    return null;
  }
}
