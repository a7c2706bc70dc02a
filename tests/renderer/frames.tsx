import { act } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

/** Animation frames that run only when the test says so (the stubs are undone after each test). */
export function manualFrames() {
  let callbacks = new Map<number, FrameRequestCallback>();
  let next = 1;
  vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => {
    callbacks.set(next, cb);
    return next++;
  });
  vi.stubGlobal('cancelAnimationFrame', (id: number) => callbacks.delete(id));
  return {
    pending: () => callbacks.size,
    flush: () =>
      act(() => {
        const run = [...callbacks.values()];
        callbacks = new Map();
        for (const cb of run) cb(performance.now());
      }),
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});
