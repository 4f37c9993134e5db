// `grantbox grants …` — placeholder registration filled in by the grants work (lint, show, list, sync, status, diff, init).
import type { Command } from 'commander';

export function register(program: Command): void {
  program.command('grants').description('Check, show and manage grants');
}
