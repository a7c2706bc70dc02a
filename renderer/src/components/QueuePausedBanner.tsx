import { useState } from 'react';
import type { ApiError } from '../../../preload/api';
import { useBridgeEvent } from '../hooks/useBridgeEvent';
import { ask, useBridge } from '../lib/bridge';

/** The queue paused itself (a full disk): say why, wherever the person is, and offer to resume. */
export function QueuePausedBanner() {
  const bridge = useBridge();
  const [paused, setPaused] = useState<ApiError | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useBridgeEvent('queue.paused', (batch) => setPaused(batch[batch.length - 1] ?? null), () => true);
  if (!paused) return null;
  const resume = async () => {
    const result = await ask(() => bridge.tasks.resumeAll());
    if (result.ok) {
      setPaused(null);
      setError(null);
    } else setError(result.error);
  };
  return (
    <div className="banner" role="alert">
      <p>
        <strong>Downloads are paused.</strong> {paused.message}
      </p>
      {error && <p>{error.message}</p>}
      <button type="button" className="primary" onClick={() => void resume()}>
        Resume all
      </button>
    </div>
  );
}
