import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ApiResult, RequestInput, SettingsDto } from '../../../preload/api';
import { ask, useBridge, type ApiError } from '../lib/bridge';

export type SettingsChange = RequestInput<'settings.update'>;

export interface SettingsState {
  settings: SettingsDto | null;
  error: ApiError | null;
  settled: boolean;
  update: (change: SettingsChange) => Promise<ApiResult<SettingsDto>>;
}

/** The app's settings, and saving a change to them. */
export function useSettings(): SettingsState {
  const bridge = useBridge();
  const [settings, setSettings] = useState<SettingsDto | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [settled, setSettled] = useState(false);

  useEffect(() => {
    let live = true;
    void ask(() => bridge.settings.get()).then((result) => {
      if (!live) return;
      if (result.ok) setSettings(result.value);
      else setError(result.error);
      setSettled(true);
    });
    return () => {
      live = false;
    };
  }, [bridge]);

  const update = useCallback(
    async (change: SettingsChange) => {
      const result = await ask(() => bridge.settings.update(change));
      if (result.ok) setSettings(result.value);
      return result;
    },
    [bridge],
  );

  return useMemo(() => ({ settings, error, settled, update }), [settings, error, settled, update]);
}
