import type { DeliveryState } from '../../../preload/domain.js';
import { CartageError } from '../errors.js';

// The list is the contract's (one list for the core, the DTOs and the database's checks).
export { deliveryStates, type DeliveryState } from '../../../preload/domain.js';

/** The only moves a delivery can make. Anything else is a bug and throws. */
const allowed: Record<DeliveryState, readonly DeliveryState[]> = {
  // running -> canceled also when every file was canceled: the delivery ends canceled, not done.
  running: ['assembling', 'completed', 'canceled', 'failed'],
  assembling: ['completed', 'canceled', 'failed'],
  // failed -> running: its zip is written again (a retry); -> canceled: given up.
  failed: ['running', 'canceled'],
  // completed -> running: a delivery of files has a file fetched again (a retry, the network back).
  completed: ['running'],
  canceled: [],
};

/** States in which a delivery is still downloading or being zipped. */
export const openDeliveryStates: readonly DeliveryState[] = ['running', 'assembling'];

/** Whether a delivery may move from `from` to `to`. */
export function canMoveDelivery(from: DeliveryState, to: DeliveryState): boolean {
  return allowed[from].includes(to);
}

/** Throws when a delivery may not move from `from` to `to`. */
export function assertDeliveryMove(id: number, from: DeliveryState, to: DeliveryState): void {
  if (!canMoveDelivery(from, to)) {
    throw new CartageError('illegal_transition', `Delivery ${id} cannot go from ${from} to ${to}.`);
  }
}
