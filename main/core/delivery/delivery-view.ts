/** A delivery's rows and the queries over its files, and what the review pane and `cartage deliveries` show of them. */
import type { DeliveryKind } from '../../../preload/domain.js';
import type { ErrorInfo } from '../errors.js';
import type { TaskState } from '../queue/states.js';
import type { DeliveryState } from './delivery-states.js';
import type { Layout } from './layout.js';

export type { DeliveryState };

/** A delivery as the review pane and `cartage deliveries` show it. */
export interface DeliveryView {
  id: number;
  name: string;
  kind: DeliveryKind;
  layout: Layout;
  state: DeliveryState;
  /** Where it was saved: the zip file, or the folder of the files. */
  target: string;
  dir: string;
  files: number;
  createdAt: number;
  completedAt: number | null;
  /** Why it failed (its zip could not be written), and what to do. */
  error: string | null;
  progress: {
    /** Files (a live photo counts once) completed, failed, and still to come. */
    done: number;
    failed: number;
    canceled: number;
    pending: number;
    bytesDone: number;
    bytesTotal: number;
  };
  /** Files that failed, each with its reason, and the task to retry. */
  failures: { taskId: number; name: string; error: ErrorInfo | null }[];
  /** Its downloads running now, with the bytes last recorded (the engine's snapshots hold fresher ones, and the speed). */
  active: { taskId: number; bytes: number }[];
}

/** A row of `deliveries`. */
export interface DeliveryRow {
  id: number;
  name: string;
  kind: DeliveryKind;
  dir: string;
  layout: Layout;
  state: DeliveryState;
  error: string | null;
  zip_path: string | null;
  staging_dir: string | null;
  /** Where its finished zip is being placed, and the zip's size (see `placeZip`). */
  placing: string | null;
  placing_bytes: number | null;
  files: number;
  bytes: number;
  created_at: number;
  completed_at: number | null;
}

/** A file of a delivery with its tasks' states. */
export interface ItemRow {
  id: number;
  entry_name: string;
  motion_entry: string | null;
  zipped: number;
  task_id: number;
  t_state: TaskState;
  t_path: string;
  t_name: string;
  t_bytes: number;
  t_total: number | null;
  t_error_code: string | null;
  t_error_message: string | null;
  m_id: number | null;
  m_state: TaskState | null;
  m_name: string | null;
  m_error_code: string | null;
  m_error_message: string | null;
  m_path: string | null;
  m_bytes: number | null;
  m_total: number | null;
}

/** Every file of a delivery with its tasks. */
export const itemsSql = `
  SELECT di.id, di.entry_name, di.motion_entry, di.zipped,
         t.id AS task_id, t.state AS t_state, t.final_path AS t_path, t.name AS t_name,
         t.bytes_on_disk AS t_bytes, coalesce(t.total_bytes, t.expected_bytes) AS t_total,
         t.error_code AS t_error_code, t.error_message AS t_error_message,
         m.id AS m_id, m.state AS m_state, m.final_path AS m_path, m.name AS m_name,
         m.error_code AS m_error_code, m.error_message AS m_error_message,
         m.bytes_on_disk AS m_bytes, coalesce(m.total_bytes, m.expected_bytes) AS m_total
  FROM delivery_items di
  JOIN tasks t ON t.id = di.task_id
  LEFT JOIN tasks m ON m.id = di.motion_task_id
  WHERE di.delivery_id = ?
  ORDER BY di.id`;

/** Items of a zip whose parts are all downloaded and that are not in the zip yet. */
export const readySql = `
  SELECT di.id, di.entry_name, di.motion_entry, t.final_path AS t_path, m.final_path AS m_path
  FROM delivery_items di INDEXED BY delivery_items_unzipped
  JOIN tasks t ON t.id = di.task_id
  LEFT JOIN tasks m ON m.id = di.motion_task_id
  WHERE di.delivery_id = ? AND di.zipped = 0 AND t.state = 'completed' AND (m.id IS NULL OR m.state = 'completed')
  ORDER BY di.id`;

export interface ReadyRow {
  id: number;
  entry_name: string;
  motion_entry: string | null;
  t_path: string;
  m_path: string | null;
}

/** Whether any download of a delivery has yet to end. */
export const unfinishedSql = `
  SELECT 1 FROM delivery_items di
  JOIN tasks t ON t.id = di.task_id
  LEFT JOIN tasks m ON m.id = di.motion_task_id
  WHERE di.delivery_id = ? AND (t.state NOT IN ('completed', 'failed', 'skipped', 'canceled')
                                OR m.state NOT IN ('completed', 'failed', 'skipped', 'canceled'))
  LIMIT 1`;

/** Whether any file of a delivery ended other than canceled. */
export const notAllCanceledSql = `
  SELECT 1 FROM delivery_items di
  JOIN tasks t ON t.id = di.task_id
  LEFT JOIN tasks m ON m.id = di.motion_task_id
  WHERE di.delivery_id = ? AND (t.state != 'canceled' OR m.state != 'canceled')
  LIMIT 1`;

/** What the review pane shows of a delivery, from its row and its files. */
export function toDeliveryView(d: DeliveryRow, items: readonly ItemRow[]): DeliveryView {
  const progress = { done: 0, failed: 0, canceled: 0, pending: 0, bytesDone: 0, bytesTotal: 0 };
  const failures: DeliveryView['failures'] = [];
  const active: DeliveryView['active'] = [];
  for (const i of items) {
    if (i.t_state === 'active') active.push({ taskId: i.task_id, bytes: i.t_bytes });
    if (i.m_state === 'active' && i.m_id !== null) active.push({ taskId: i.m_id, bytes: i.m_bytes ?? 0 });
    const states = [i.t_state, ...(i.m_state ? [i.m_state] : [])];
    progress.bytesDone += i.t_bytes + (i.m_bytes ?? 0);
    progress.bytesTotal += (i.t_total ?? i.t_bytes) + (i.m_id !== null ? (i.m_total ?? i.m_bytes ?? 0) : 0);
    if (states.every((s) => s === 'completed')) progress.done += 1;
    else if (states.some((s) => s === 'failed' || s === 'skipped')) {
      progress.failed += 1;
      // The part that failed: for a live photo whose video failed, the video (to retry it).
      const video = i.m_id !== null && (i.m_state === 'failed' || i.m_state === 'skipped') && i.t_state !== 'failed' && i.t_state !== 'skipped';
      const code = video ? i.m_error_code : i.t_error_code;
      const message = video ? i.m_error_message : i.t_error_message;
      failures.push({
        taskId: video ? i.m_id! : i.task_id,
        name: video ? `${i.t_name} (its video, ${i.m_name ?? 'the motion part'})` : i.t_name,
        error: code ? { code: code as ErrorInfo['code'], message: message ?? '' } : null,
      });
    } else if (states.some((s) => s === 'canceled')) progress.canceled += 1;
    else progress.pending += 1;
  }
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    layout: d.layout,
    state: d.state,
    target: d.kind === 'zip' ? (d.zip_path ?? d.dir) : d.dir,
    dir: d.dir,
    files: d.files,
    createdAt: d.created_at,
    completedAt: d.completed_at,
    error: d.error,
    progress,
    failures,
    active,
  };
}
