import type { Command } from 'commander';

// Placeholder: replaced by the real command.
export function registerDataImport(_data: Command): void {}
