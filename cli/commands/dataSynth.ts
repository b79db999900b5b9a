import type { Command } from 'commander';

// Placeholder: replaced by the real command.
export function registerDataSynth(_data: Command): void {}
