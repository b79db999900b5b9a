import type { Command } from 'commander';

// Placeholder: replaced by the real command.
export function registerDataExport(_data: Command): void {}
