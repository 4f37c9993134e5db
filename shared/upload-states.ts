// The states an upload item ends in, defined once for the queue, the CLI and the window.
// Pure TypeScript: main and renderer both import it.

export const FINISHED_STATES = ['done', 'skipped', 'failed', 'cancelled', 'refused'] as const;

export type FinishedState = (typeof FINISHED_STATES)[number];

const finished: ReadonlySet<string> = new Set(FINISHED_STATES);

/** True once an item will not move again (until the person retries it). */
export function isFinished(state: string): state is FinishedState {
  return finished.has(state);
}
