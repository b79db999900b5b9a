import type { Command } from 'commander';

// Placeholder: replaced by the real command.
export function registerDataResample(_data: Command): void {}
