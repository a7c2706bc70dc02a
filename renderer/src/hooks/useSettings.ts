import { useCallback, useMemo } from 'react';
import type { ApiResult, CartageBridge, RequestInput, SettingsDto } from '../../../preload/api';
import { ask, useBridge, type ApiError } from '../lib/bridge';
import { useLoaded } from './useLoaded';

const getSettings = (bridge: CartageBridge) => bridge.settings.get();

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
  const { value: settings, setValue: setSettings, error, settled } = useLoaded(getSettings);

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
