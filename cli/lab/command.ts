import type { Command } from 'commander';
export function registerLab(_program: Command): void {}
