import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/index.ts';
import { globalOptions } from '../context.ts';
import { printJson } from '../output.ts';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect and validate xylen.yaml');

  config
    .command('check')
    .description('validate the config file and print the effective settings (secrets masked)')
    .argument('[file]', 'config file to check (default: --config, then ./xylen.yaml)')
    .option('--json', 'print the effective config as JSON')
    .action(async (file: string | undefined, options: { json?: boolean }, command: Command) => {
      const named = file ?? globalOptions(command).config;
      const path = named ?? DEFAULT_CONFIG_PATH;
      const found = existsSync(path);
      const effective = maskSecrets(await loadConfig(path, { required: named !== undefined }));
      const source = found ? path : `no ${path}; built-in defaults`;
      if (options.json) printJson({ ok: true, file: found ? path : null, config: effective });
      else process.stdout.write(`${source}: ok\n\n${stringify(effective)}`);
    });
}

const SECRET_KEYS = new Set(['api_key', 'api_secret', 'telegram_token']);

/** Secrets never reach output: show only whether they are set. */
function maskSecrets(value: unknown, key = ''): unknown {
  if (SECRET_KEYS.has(key)) return value === undefined ? undefined : '***';
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  return value;
}
