import type { Command } from 'commander';
import { loadConfig, type XylenConfig } from '../config/index.ts';
import { DEFAULT_DB_PATH, Store } from '../data/index.ts';

/** The options every data-touching command honours (declared once on the root program). */
export interface GlobalOptions {
  db?: string;
  config?: string;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/**
 * The config in force: `--config PATH` if given (it must exist), else `./xylen.yaml` when present,
 * else the built-in defaults.
 */
export async function resolveConfig(command: Command): Promise<XylenConfig> {
  const { config } = globalOptions(command);
  return loadConfig(config, { required: config !== undefined });
}

/** Store path, by precedence: `--db`, `XYLEN_DB`, the config's `data.db`, `./xylen.duckdb`. */
export async function resolveDbPath(command: Command): Promise<string> {
  const { db } = globalOptions(command);
  if (db) return db;
  const fromEnv = process.env['XYLEN_DB'];
  if (fromEnv) return fromEnv;
  const config = await resolveConfig(command);
  return config.data.db ?? DEFAULT_DB_PATH;
}

/** Open the store for the command, run `work`, and always close it. */
export async function withStore<T>(command: Command, options: { readOnly: boolean }, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await Store.open(await resolveDbPath(command), options);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
