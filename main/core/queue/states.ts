import { taskStates, type TaskState } from '../../../preload/domain.js';
import { CartageError } from '../errors.js';

// The lists are the contract's (one list for the core, the DTOs and the database's checks).
export { taskGroups, taskStates, type TaskGroup, type TaskState } from '../../../preload/domain.js';

/** What a person can ask of downloads (one by one or all at once). */
export type TaskControl = 'pause' | 'resume' | 'cancel' | 'retry';

/**
 * Who makes a move: the engine on its own, or a person's control. `retry-by-name` is a retry made
 * only for tasks asked for one by one, never by a retry of everything.
 */
type Mover = 'engine' | TaskControl | 'retry-by-name';

/**
 * The only moves a task can make, each with who makes it: the one table of task moves, which both
 * the queue's guard and the engine's controls read. Anything else is a bug and throws.
 */
const moves: Record<TaskState, Partial<Record<TaskState, Mover>>> = {
  queued: { active: 'engine', paused: 'pause', canceled: 'cancel', skipped: 'engine' },
  // active -> queued: a retry after backoff, a restart from zero, or a crash recovered on start.
  active: { completed: 'engine', failed: 'engine', queued: 'engine', paused: 'pause', canceled: 'cancel', skipped: 'engine' },
  paused: { queued: 'resume', canceled: 'cancel' },
  // failed -> queued: retried by the person, or by the engine when the network is back.
  failed: { queued: 'retry', canceled: 'cancel' },
  // A skipped file (deleted on the server, or kept by the conflict rule) is fetched again only when
  // the person names it; and it has nothing left to stop or clean up, so it is never canceled:
  // that would only relabel it.
  skipped: { queued: 'retry-by-name' },
  completed: {},
  canceled: {},
};

/**
 * The words for sets of states, one each: a task has *ended* in a terminal state (nothing more
 * happens to it unless a person asks: a retry); it has *settled* once it has ended or been paused
 * (nothing more happens to it by itself: what a person or a waiting command waits for).
 */
export const terminalStates: readonly TaskState[] = ['completed', 'failed', 'canceled', 'skipped'];
export const settledStates: readonly TaskState[] = [...terminalStates, 'paused'];

export function canTransition(from: TaskState, to: TaskState): boolean {
  return moves[from][to] !== undefined;
}

/** The states from which a task may move to `to`, for bulk updates written as SQL. */
export function statesLeadingTo(to: TaskState): TaskState[] {
  return taskStates.filter((from) => canTransition(from, to));
}

/** The state a control moves a task to. */
export const controlTarget: Record<TaskControl, TaskState> = { pause: 'paused', resume: 'queued', cancel: 'canceled', retry: 'queued' };

/** The states a control moves tasks out of: for tasks named one by one, or (`all`) for every task at once. */
export function controllable(control: TaskControl, scope: 'named' | 'all'): TaskState[] {
  const to = controlTarget[control];
  return taskStates.filter((from) => {
    const mover = moves[from][to];
    return mover === control || (scope === 'named' && control === 'retry' && mover === 'retry-by-name');
  });
}

export function assertTransition(id: number, from: TaskState, to: TaskState): void {
  if (!canTransition(from, to)) {
    throw new CartageError('illegal_transition', `Task ${id} cannot go from ${from} to ${to}.`);
  }
}
