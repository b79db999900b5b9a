import type { Command } from 'commander';
import { withStore } from '../context.ts';
import { registerDataExport } from './dataExport.ts';
import { registerDataFetch } from './dataFetch.ts';
import { registerDataImport } from './dataImport.ts';
import { registerDataLs } from './dataLs.ts';
import { registerDataResample } from './dataResample.ts';
import { registerDataSynth } from './dataSynth.ts';

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('the market-data store: import, fetch, synthesize, list, resample, export');
  registerDataImport(data);
  registerDataFetch(data);
  registerDataSynth(data);
  registerDataLs(data);
  registerDataResample(data);
  registerDataExport(data);

  data
    .command('migrate')
    .description('create the store, or bring its schema up to date')
    .action(async (_options: unknown, command: Command) => {
      await withStore(command, { readOnly: false }, async (store) => {
        process.stdout.write(`${store.path}: schema version ${await store.schemaVersion()}\n`);
      });
    });
}
