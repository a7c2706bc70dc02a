// The renderer's one way to the app: `window.cartage`, typed by the contract. Components take it from
// context (so tests hand in a fake built the same way) and never learn whether it is the Electron
// preload or the `cartage serve` page's script underneath.
import { createContext, useContext } from 'react';
import type { ApiError, ApiResult, CartageBridge } from '../../../preload/api';

export type { ApiError, ApiResult, CartageBridge };

declare global {
  interface Window {
    /** Defined by the preload (Electron) or by bridge.js (`cartage serve`); absent elsewhere. */
    readonly cartage?: CartageBridge;
  }
}

export const BridgeContext = createContext<CartageBridge | null>(null);

/** The bridge the app was started with. */
export function useBridge(): CartageBridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error('useBridge() needs a <BridgeContext.Provider> above it.');
  return bridge;
}

/** Sends a request and never throws: a lost connection becomes an error a person can read. */
export async function ask<T>(request: () => Promise<ApiResult<T>>): Promise<ApiResult<T>> {
  try {
    const result = await request();
    if (result && typeof result === 'object' && 'ok' in result) return result;
    return { ok: false, error: { code: 'bad_answer', message: 'Cartage gave an answer this window does not understand. Restart Cartage and try again.' } };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'bridge_failed', message: `Cartage did not answer (${why}). Try again; if it keeps failing, restart Cartage.` } };
  }
}

/** An error for things that went wrong in this window rather than in the app. */
export function localError(message: string, code: ApiError['code'] = 'local'): ApiError {
  return { code, message };
}
