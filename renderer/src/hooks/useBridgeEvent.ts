import { useEffect, useLayoutEffect, useRef } from 'react';
import type { EventName, Events } from '../../../preload/api';
import { useBridge } from '../lib/bridge';
import { cancelFrameJob, flushFrame, scheduleFrame } from '../lib/frame';

/**
 * Subscribes to a bridge event and hands its payloads over in batches, once per animation frame,
 * so a burst of progress snapshots costs one render. A payload `isFinal` accepts is delivered at
 * once, with everything queued before it.
 */
export function useBridgeEvent<E extends EventName>(
  event: E,
  onBatch: (payloads: Events[E][]) => void,
  isFinal?: (payload: Events[E]) => boolean,
): void {
  const bridge = useBridge();
  const handlers = useRef({ onBatch, isFinal });
  useLayoutEffect(() => {
    handlers.current = { onBatch, isFinal };
  });

  useEffect(() => {
    const queued: Events[E][] = [];
    const deliver = (): void => {
      const batch = queued.splice(0);
      if (batch.length > 0) handlers.current.onBatch(batch);
    };
    const off = bridge.on(event, (payload) => {
      queued.push(payload);
      scheduleFrame(deliver);
      if (handlers.current.isFinal?.(payload)) flushFrame();
    });
    return () => {
      off();
      cancelFrameJob(deliver);
    };
  }, [bridge, event]);
}
