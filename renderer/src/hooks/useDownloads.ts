import { useCallback, useEffect, useState } from 'react';
import type { DeliveryDto, QueueTotalsDto, TaskDto } from '../../../preload/api';
import { ask, useBridge, type ApiError } from '../lib/bridge';
import { isTerminalTaskState } from '../lib/labels';
import { assertNever } from '../lib/never';
import { useBridgeEvents } from './useBridgeEvent';

export interface DownloadsState {
  tasks: ReadonlyMap<number, TaskDto>;
  deliveries: ReadonlyMap<number, DeliveryDto>;
  totals: QueueTotalsDto | null;
  error: ApiError | null;
  loaded: boolean;
  /** Takes in tasks a request answered with (pause, resume, ...). */
  putTasks: (tasks: TaskDto[]) => void;
  putDelivery: (delivery: DeliveryDto) => void;
  reload: () => Promise<void>;
}

/** The events that keep the downloads current. */
const downloadEvents = ['tasks.progress', 'tasks.changed', 'deliveries.changed'] as const;

/** How many tasks the list asks for: the active and recent ones; events bring the rest. */
const taskLimit = 500;
/** Finished tasks kept on screen in a long session; the oldest beyond this are let go. */
const finishedKept = 1000;

/**
 * Tasks and deliveries: a first list, then kept current by events, at most one render a frame;
 * terminal states (done, failed, canceled, skipped) show at once.
 */
export function useDownloads(): DownloadsState {
  const bridge = useBridge();
  const [tasks, setTasks] = useState<ReadonlyMap<number, TaskDto>>(new Map());
  const [deliveries, setDeliveries] = useState<ReadonlyMap<number, DeliveryDto>>(new Map());
  const [totals, setTotals] = useState<QueueTotalsDto | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loaded, setLoaded] = useState(false);

  const putTasks = useCallback((changed: TaskDto[]) => setTasks((prev) => keepRecent(withAll(prev, changed))), []);
  const putDelivery = useCallback((d: DeliveryDto) => setDeliveries((prev) => withAll(prev, [d])), []);

  const reload = useCallback(async () => {
    const [taskList, deliveryList] = await Promise.all([ask(() => bridge.tasks.list({ limit: taskLimit })), ask(() => bridge.deliveries.list())]);
    // What events brought while the lists were on their way is newer: it wins.
    if (taskList.ok) {
      setTasks((prev) => withAll(new Map(taskList.value.tasks.map((t) => [t.id, t])), [...prev.values()]));
      setTotals((prev) => prev ?? taskList.value.totals);
    }
    if (deliveryList.ok) setDeliveries((prev) => withAll(new Map(deliveryList.value.map((d) => [d.id, d])), [...prev.values()]));
    const failed = !taskList.ok ? taskList.error : !deliveryList.ok ? deliveryList.error : null;
    setError(failed);
    setLoaded(true);
  }, [bridge]);

  useEffect(() => {
    void reload();
  }, [reload]);

  // One queue for the three, applied in the order they came: a snapshot never overtakes a terminal state.
  useBridgeEvents(
    downloadEvents,
    (messages) => {
      const taskChanges: TaskDto[] = [];
      const deliveryChanges: DeliveryDto[] = [];
      let lastTotals: QueueTotalsDto | null = null;
      for (const m of messages) {
        switch (m.event) {
          case 'tasks.progress':
            taskChanges.push(...m.payload.tasks);
            lastTotals = m.payload.totals;
            break;
          case 'tasks.changed':
            taskChanges.push(m.payload);
            break;
          case 'deliveries.changed':
            deliveryChanges.push(m.payload);
            break;
          default:
            assertNever(m);
        }
      }
      if (taskChanges.length) setTasks((prev) => keepRecent(withAll(prev, taskChanges)));
      if (deliveryChanges.length) setDeliveries((prev) => withAll(prev, deliveryChanges));
      if (lastTotals) setTotals(lastTotals);
    },
    (m) =>
      (m.event === 'tasks.changed' && isTerminalTaskState(m.payload.state)) ||
      (m.event === 'deliveries.changed' && (m.payload.state === 'completed' || m.payload.state === 'canceled')),
  );

  return { tasks, deliveries, totals, error, loaded, putTasks, putDelivery, reload };
}

function withAll<T extends { id: number }>(map: ReadonlyMap<number, T>, items: readonly T[]): ReadonlyMap<number, T> {
  if (items.length === 0) return map;
  const next = new Map(map);
  for (const item of items) next.set(item.id, item);
  return next;
}

/** Every unfinished task, and only the latest finished ones, so a long session does not grow without end. */
function keepRecent(map: ReadonlyMap<number, TaskDto>): ReadonlyMap<number, TaskDto> {
  const finished = [...map.values()].filter((t) => isTerminalTaskState(t.state));
  if (finished.length <= finishedKept) return map;
  const next = new Map(map);
  for (const t of finished.sort((a, b) => a.id - b.id).slice(0, finished.length - finishedKept)) next.delete(t.id);
  return next;
}
