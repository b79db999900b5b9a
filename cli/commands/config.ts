import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { DEFAULT_CONFIG_PATH, loadConfig, maskSecrets } from '../../config/index.ts';
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
