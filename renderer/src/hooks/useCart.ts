import { useCallback, useMemo } from 'react';
import type { AddOutcomeDto, ApiResult, CartageBridge, CartDto } from '../../../preload/api';
import { ask, useBridge, type ApiError } from '../lib/bridge';
import { useBridgeEvent } from './useBridgeEvent';
import { useLoaded } from './useLoaded';

const getCart = (bridge: CartageBridge) => bridge.cart.get();

export interface CartState {
  cart: CartDto | null;
  error: ApiError | null;
  /** True once the first answer (the list or an error) came. */
  settled: boolean;
  reload: () => Promise<void>;
  add: (refs: string[]) => Promise<ApiResult<AddOutcomeDto>>;
  remove: (ids: number[]) => Promise<ApiResult<CartDto>>;
  clear: () => Promise<ApiResult<CartDto>>;
}

/** The download list: loaded once, kept current by `cart.changed` and by the answers to edits. */
export function useCart(): CartState {
  const bridge = useBridge();
  const { value: cart, setValue: setCart, error, settled, reload } = useLoaded(getCart);

  // Each payload is the whole list: the last one of a frame is the one to show.
  useBridgeEvent('cart.changed', (batch) => {
    const last = batch[batch.length - 1];
    if (last) setCart(last);
  });

  const add = useCallback(
    async (refs: string[]) => {
      const result = await ask(() => bridge.cart.add({ refs }));
      if (result.ok) await reload();
      return result;
    },
    [bridge, reload],
  );

  const remove = useCallback(
    async (ids: number[]) => {
      const result = await ask(() => bridge.cart.remove({ ids }));
      if (result.ok) setCart(result.value);
      return result;
    },
    [bridge],
  );

  const clear = useCallback(async () => {
    const result = await ask(() => bridge.cart.clear());
    if (result.ok) setCart(result.value);
    return result;
  }, [bridge]);

  return useMemo(() => ({ cart, error, settled, reload, add, remove, clear }), [cart, error, settled, reload, add, remove, clear]);
}
