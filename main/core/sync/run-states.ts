import type { MirrorRunDto } from '../../../preload/api.js';
import { CartageError } from '../errors.js';

export type RunState = MirrorRunDto['state'];
export const runStates: readonly RunState[] = ['enumerating', 'downloading', 'completed', 'interrupted', 'failed'];

/** The only moves a mirror run can make. Anything else is a bug and throws. */
const allowed: Record<RunState, readonly RunState[]> = {
  // enumerating -> interrupted: the process stopped while listing (nothing is deleted on its account).
  enumerating: ['downloading', 'failed', 'interrupted'],
  // downloading -> interrupted: a new run took its downloads over.
  downloading: ['completed', 'interrupted'],
  completed: [],
  interrupted: [],
  failed: [],
};

/** Whether a run may move from `from` to `to`. */
export function canMoveRun(from: RunState, to: RunState): boolean {
  return allowed[from].includes(to);
}

/** Throws when a run may not move from `from` to `to`. */
export function assertRunMove(id: number | 'every run', from: RunState, to: RunState): void {
  if (!canMoveRun(from, to)) {
    throw new CartageError('illegal_transition', `Mirror run ${id} cannot go from ${from} to ${to}.`);
  }
}
