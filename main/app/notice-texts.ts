// What each OS notification says, and whether one is worth showing at all, as plain functions:
// notifications.ts shows them with Electron, and tests read them without it.
import path from 'node:path';
import type { ApiError, DeliveryDto, MirrorRunDto, TaskDto } from '../../preload/api.js';
import { count, type RunStatus } from './progress.js';

export interface NoticeText {
  title: string;
  body: string;
  /** Critical notices need the person (a full disk, a refused key) and make a sound. */
  urgency?: 'normal' | 'critical';
}

// A delivery first seen completed counts as new only if it completed this recently.
const recentMs = 5 * 60_000;

/** "Downloading 3 items…", for a run that began while the window is out of sight. */
export function runStartedNotice(status: RunStatus): NoticeText {
  return { title: 'Cartage', body: `Downloading ${count(status.items)}…` };
}

/** Said once, the first time the window closes into the tray while downloads run. */
export function keptInTrayNotice(status: RunStatus): NoticeText {
  return { title: 'Cartage keeps downloading in the tray', body: `${status.text}. To stop, choose Quit in the menu of Cartage's tray icon.` };
}

/**
 * A delivery that just reached `completed` (`before` is the state last seen, undefined when it was
 * never seen): where its files are, and what is missing. Null when there is nothing new to say.
 */
export function deliveryNotice(d: DeliveryDto, before: DeliveryDto['state'] | undefined, now: number): NoticeText | null {
  if (d.state !== 'completed' || before === 'completed') return null;
  if (before === undefined && (d.completedAt === null || now - d.completedAt > recentMs)) return null;
  const saved = d.progress.done;
  const missing = d.progress.failed + d.progress.canceled;
  const where = d.kind === 'zip' && d.target.endsWith('.zip') ? `${path.basename(d.target)} in ${path.dirname(d.target)}` : d.target;
  const body =
    missing === 0
      ? `${count(saved)} saved to ${where}.`
      : `${saved} of ${count(saved + missing)} saved to ${where}; ${missing} could not be downloaded (open Cartage to retry).`;
  return { title: missing === 0 ? 'Download complete' : 'Download finished with problems', body };
}

/** A mirror run that ended with new files or failures; an unchanged mirror says nothing (null). */
export function mirrorRunNotice(r: MirrorRunDto): NoticeText | null {
  if (r.state !== 'completed' && r.state !== 'failed') return null;
  if (r.state === 'completed' && r.newFiles + r.changed + r.failed === 0) return null;
  const body =
    r.state === 'failed'
      ? `Mirror ${r.mirrorId} could not run: ${r.error ?? 'unknown error'}`
      : `Mirror ${r.mirrorId}: ${r.newFiles} new, ${r.changed} changed${r.failed ? `, ${r.failed} failed (open Cartage for the reasons)` : ''}.`;
  return { title: r.failed || r.state === 'failed' ? 'Mirror finished with problems' : 'Mirror up to date', body };
}

/** The queue paused itself (a full disk): only the person can make room. */
export function queuePausedNotice(error: ApiError): NoticeText {
  return { title: 'Downloads paused', body: error.message, urgency: 'critical' };
}

/** A download failed because the server no longer accepts the source's key or password; null for any other change. */
export function signInNotice(task: TaskDto): NoticeText | null {
  if (task.state !== 'failed' || task.error?.code !== 'auth') return null;
  return { title: 'A download needs you', body: `${task.name}: ${task.error.message}`, urgency: 'critical' };
}
