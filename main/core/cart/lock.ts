import { isAlive } from '../lock.js';

/** A checkout lock held by another process that is still running. */
export function isHeldElsewhere(pid: number): boolean {
  return pid !== process.pid && isAlive(pid);
}
