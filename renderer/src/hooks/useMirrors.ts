import { useCallback, useEffect, useState } from 'react';
import type { MirrorDto, MirrorRunDto } from '../../../preload/api';
import { ask, useBridge, type ApiError } from '../lib/bridge';
import { isRunning, laterRun } from '../lib/mirrors';
import { useBridgeEvent } from './useBridgeEvent';

export interface MirrorsState {
  mirrors: MirrorDto[] | null;
  error: ApiError | null;
  reload: () => Promise<void>;
  /** Takes in a mirror just added. */
  putMirror: (mirror: MirrorDto) => void;
  /** Forgets a mirror just removed. */
  dropMirror: (id: number) => void;
  /** Takes in a run's report (the answer to Run now); a later report already held wins. */
  putRun: (run: MirrorRunDto) => void;
}

/**
 * The mirrors and their last runs: a first list, then each run's report kept current by
 * `mirrors.changed`, at most one render a frame; a run's end shows at once and fetches the list
 * again for the next run's time.
 */
export function useMirrors(): MirrorsState {
  const bridge = useBridge();
  const [mirrors, setMirrors] = useState<MirrorDto[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const reload = useCallback(async () => {
    const result = await ask(() => bridge.mirrors.list());
    if (result.ok) {
      // A report events brought while the list was on its way may be further on: it wins.
      setMirrors((prev) => result.value.map((m) => ({ ...m, lastRun: laterRun(m.lastRun, prev?.find((p) => p.id === m.id)?.lastRun ?? null) })));
      setError(null);
    } else setError(result.error);
  }, [bridge]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const putMirror = useCallback((mirror: MirrorDto) => setMirrors((prev) => [...(prev ?? []).filter((m) => m.id !== mirror.id), mirror].sort((a, b) => a.id - b.id)), []);
  const dropMirror = useCallback((id: number) => setMirrors((prev) => prev && prev.filter((m) => m.id !== id)), []);
  const putRun = useCallback((run: MirrorRunDto) => setMirrors((prev) => prev && withRuns(prev, [run])), []);

  useBridgeEvent(
    'mirrors.changed',
    (batch) => {
      setMirrors((prev) => prev && withRuns(prev, batch));
      // A run that ended moves the next one; a run of a mirror not listed here means the list is old.
      const unknown = mirrors !== null && batch.some((r) => !mirrors.some((m) => m.id === r.mirrorId));
      if (unknown || batch.some((r) => !isRunning(r))) void reload();
    },
    (run) => !isRunning(run),
  );

  return { mirrors, error, reload, putMirror, dropMirror, putRun };
}

function withRuns(mirrors: MirrorDto[], runs: readonly MirrorRunDto[]): MirrorDto[] {
  return mirrors.map((m) => {
    let lastRun = m.lastRun;
    for (const run of runs) if (run.mirrorId === m.id) lastRun = laterRun(run, lastRun);
    return lastRun === m.lastRun ? m : { ...m, lastRun };
  });
}
