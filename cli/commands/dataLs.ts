import type { Command } from 'commander';

// Placeholder: replaced by the real command.
export function registerDataLs(_data: Command): void {}
