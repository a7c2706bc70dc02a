import { useEffect, useLayoutEffect, useRef } from 'react';
import type { EventName, Events } from '../../../preload/api';
import { useBridge } from '../lib/bridge';
import { cancelFrameJob, flushFrame, scheduleFrame } from '../lib/frame';

/** One event as it arrived: its name and payload, to switch on. */
export type BridgeMessage<E extends EventName> = { [K in E]: { event: K; payload: Events[K] } }[E];

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
  useBridgeEvents(
    [event],
    (messages) => onBatch(messages.map((m) => m.payload as Events[E])),
    isFinal && ((m) => isFinal(m.payload as Events[E])),
  );
}

/**
 * Several events in one queue, handed over in the order they arrived, once per frame (or at once
 * for a message `isFinal` accepts). One queue, because a snapshot sent before a final state must
 * never be applied after it: with a queue per event, "active" from a snapshot could follow "done".
 */
export function useBridgeEvents<E extends EventName>(
  events: readonly E[],
  onBatch: (messages: BridgeMessage<E>[]) => void,
  isFinal?: (message: BridgeMessage<E>) => boolean,
): void {
  const bridge = useBridge();
  const handlers = useRef({ onBatch, isFinal });
  useLayoutEffect(() => {
    handlers.current = { onBatch, isFinal };
  });
  const key = events.join(' ');

  useEffect(() => {
    const queued: BridgeMessage<E>[] = [];
    const deliver = (): void => {
      const batch = queued.splice(0);
      if (batch.length > 0) handlers.current.onBatch(batch);
    };
    const offs = (key.split(' ') as E[]).map((event) =>
      bridge.on(event, (payload) => {
        const message = { event, payload } as BridgeMessage<E>;
        queued.push(message);
        scheduleFrame(deliver);
        if (handlers.current.isFinal?.(message)) flushFrame();
      }),
    );
    return () => {
      for (const off of offs) off();
      cancelFrameJob(deliver);
    };
  }, [bridge, key]);
}
