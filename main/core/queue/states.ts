import { CartageError } from '../errors.js';

export const taskStates = ['queued', 'active', 'paused', 'completed', 'failed', 'canceled', 'skipped'] as const;
export type TaskState = (typeof taskStates)[number];

export const taskGroups = ['image', 'video', 'livephoto', 'other'] as const;
export type TaskGroup = (typeof taskGroups)[number];

/** The only moves a task can make. Anything else is a bug and throws. */
const allowed: Record<TaskState, readonly TaskState[]> = {
  queued: ['active', 'paused', 'canceled', 'skipped'],
  // active -> queued: a retry after backoff, a restart from zero, or a crash recovered on start.
  active: ['completed', 'failed', 'queued', 'paused', 'canceled', 'skipped'],
  paused: ['queued', 'canceled'],
  // failed / skipped -> queued: retried by the person, or by the engine when the network is back.
  failed: ['queued', 'canceled'],
  skipped: ['queued', 'canceled'],
  completed: [],
  canceled: [],
};

export const terminalStates: readonly TaskState[] = ['completed', 'failed', 'canceled', 'skipped'];

export function canTransition(from: TaskState, to: TaskState): boolean {
  return allowed[from].includes(to);
}

/** The states from which a task may move to `to`, for bulk updates written as SQL. */
export function statesLeadingTo(to: TaskState): TaskState[] {
  return taskStates.filter((from) => allowed[from].includes(to));
}

export function assertTransition(id: number, from: TaskState, to: TaskState): void {
  if (!canTransition(from, to)) {
    throw new CartageError('illegal_transition', `Task ${id} cannot go from ${from} to ${to}.`);
  }
}
