import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AddedSourceDto, SourceDto } from '../../../preload/api';
import { ask, useBridge, type ApiError } from '../lib/bridge';

export interface SourcesState {
  sources: SourceDto[] | null;
  error: ApiError | null;
  settled: boolean;
  /** Who each source signed in as, learnt when it was added in this session. */
  signedIn: Readonly<Record<number, string>>;
  reload: () => Promise<void>;
  /** Takes in a source just added (or replaced) and who it signed in as. */
  added: (result: AddedSourceDto) => void;
}

/** The sources people added. */
export function useSources(): SourcesState {
  const bridge = useBridge();
  const [sources, setSources] = useState<SourceDto[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [settled, setSettled] = useState(false);
  const [signedIn, setSignedIn] = useState<Record<number, string>>({});

  const reload = useCallback(async () => {
    const result = await ask(() => bridge.sources.list());
    if (result.ok) {
      setSources(result.value);
      setError(null);
    } else setError(result.error);
    setSettled(true);
  }, [bridge]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const added = useCallback(
    (result: AddedSourceDto) => {
      const who = result.signedInAs;
      if (who) setSignedIn((prev) => ({ ...prev, [result.source.id]: who }));
      void reload();
    },
    [reload],
  );

  return useMemo(() => ({ sources, error, settled, signedIn, reload, added }), [sources, error, settled, signedIn, reload, added]);
}
