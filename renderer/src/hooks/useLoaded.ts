import { useCallback, useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import { ask, useBridge, type ApiError, type ApiResult, type CartageBridge } from '../lib/bridge';

export interface Loaded<T> {
  value: T | null;
  setValue: Dispatch<SetStateAction<T | null>>;
  error: ApiError | null;
  /** True once the first answer (the value or an error) came. */
  settled: boolean;
  reload: () => Promise<void>;
}

/**
 * One thing the app holds: asked for on mount and on `reload`, with its error and whether the first
 * answer came. `load` must be stable (declare it outside the component).
 */
export function useLoaded<T>(load: (bridge: CartageBridge) => Promise<ApiResult<T>>): Loaded<T> {
  const bridge = useBridge();
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [settled, setSettled] = useState(false);

  const reload = useCallback(async () => {
    const result = await ask(() => load(bridge));
    if (result.ok) {
      setValue(result.value);
      setError(null);
    } else setError(result.error);
    setSettled(true);
  }, [bridge, load]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { value, setValue, error, settled, reload };
}
