import type { Command } from 'commander';

// Placeholder: replaced by the real command.
export function registerDataFetch(_data: Command): void {}
