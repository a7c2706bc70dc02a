import type { DeliveryDto } from '../../../preload/api';

/** The folder layouts a delivery can take, in the order offered (the contract's `layouts`, without zod). */
export const layouts: readonly DeliveryDto['layout'][] = ['flat', 'folders', 'date'];
