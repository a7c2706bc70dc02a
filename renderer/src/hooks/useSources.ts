import { useCallback, useMemo, useState } from 'react';
import type { AddedSourceDto, CartageBridge, SourceDto } from '../../../preload/api';
import type { ApiError } from '../lib/bridge';
import { useLoaded } from './useLoaded';

const listSources = (bridge: CartageBridge) => bridge.sources.list();

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
  const { value: sources, error, settled, reload } = useLoaded(listSources);
  const [signedIn, setSignedIn] = useState<Record<number, string>>({});

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
