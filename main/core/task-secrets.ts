import { randomUUID } from 'node:crypto';
import type { Task } from './queue/task.js';
import type { SecretStore } from './secrets.js';

// Headers one download needs and nobody should keep: the cookies and Referer a browser sent for one
// link. They live in the secret store under a random key that the task's sourceRef names (the key
// says nothing by itself), are read when each request is built, and are deleted when the task ends.

const prefix = 'task:';

/** Saves headers for a task about to be queued; returns the sourceRef that task must carry. */
export async function saveTaskHeaders(secrets: SecretStore, headers: Record<string, string>): Promise<string> {
  const key = randomUUID();
  await secrets.set(`task-headers:${key}`, JSON.stringify(headers));
  return `${prefix}${key}`;
}

/** True when the task's requests carry headers of its own from the secret store. */
export function hasTaskHeaders(task: Pick<Task, 'sourceRef'>): boolean {
  return task.sourceRef.startsWith(prefix);
}

/** The task's own headers, or none once they are gone (a retry after the task ended goes without them). */
export async function taskHeaders(secrets: SecretStore, task: Pick<Task, 'sourceRef'>): Promise<Record<string, string>> {
  if (!hasTaskHeaders(task)) return {};
  const text = await secrets.get(secretKey(task.sourceRef));
  if (text === null) return {};
  try {
    return JSON.parse(text) as Record<string, string>;
  } catch {
    return {};
  }
}

/** Forgets the task's headers (it ended, or was never queued). */
export async function forgetTaskHeaders(secrets: SecretStore, sourceRef: string): Promise<void> {
  if (sourceRef.startsWith(prefix)) await secrets.delete(secretKey(sourceRef));
}

function secretKey(sourceRef: string): string {
  return `task-headers:${sourceRef.slice(prefix.length)}`;
}
