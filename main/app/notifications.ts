// OS notifications: what is downloading when the window is out of sight, a delivery that is
// complete, and the problems only the person can solve (a full disk, a key no longer accepted).
import { Notification, type NativeImage } from 'electron';
import type { Logger } from '../core/log.js';
import type { ApiError, DeliveryDto, TaskDto, MirrorRunDto } from '../../preload/api.js';
import { showOnDisk } from './links.js';
import {
  deliveryNotice,
  keptInTrayNotice,
  mirrorRunNotice,
  queuePausedNotice,
  runStartedNotice,
  signInNotice,
  type NoticeText,
} from './notice-texts.js';
import type { RunStatus } from './progress.js';

export interface NotifierOptions {
  icon: NativeImage;
  /** Brings the window back (clicking a notice about a problem). */
  showWindow(): void;
  /** The window is on screen: it shows progress itself, so no notice is needed for it. */
  windowVisible(): boolean;
  log: Logger;
}

// One notice about a refused key per minute: a source's whole folder fails at once.
const signInNoticeEveryMs = 60_000;

/** Turns the core's events into notices; each method decides whether one is worth showing. */
export class Notifier {
  // Held until closed: Electron drops the click handler of a notification that is garbage-collected.
  private readonly shown = new Set<Notification>();
  private readonly deliveryStates = new Map<number, DeliveryDto['state']>();
  private lastSignInNotice = 0;

  constructor(private readonly options: NotifierOptions) {}

  /** A run began while the window is out of sight: "Downloading 3 items…". */
  runStarted(status: RunStatus): void {
    if (this.options.windowVisible()) return;
    this.show(runStartedNotice(status), () => this.options.showWindow());
  }

  /** The window closed into the tray while downloads run; said once, the first time. */
  keptInTray(status: RunStatus): void {
    this.show(keptInTrayNotice(status), () => this.options.showWindow());
  }

  /** A delivery reached `completed`: where its files are; clicking opens the folder (or shows the zip). */
  deliveryChanged(d: DeliveryDto): void {
    const before = this.deliveryStates.get(d.id);
    this.deliveryStates.set(d.id, d.state);
    this.show(deliveryNotice(d, before, Date.now()), () => {
      showOnDisk(d.target).catch((err: unknown) => this.options.log.warn(`Showing delivery #${d.id} failed: ${(err as Error).message}`));
    });
  }

  /** A mirror run ended with new files or failures (an unchanged mirror says nothing). */
  mirrorRun(r: MirrorRunDto): void {
    this.show(mirrorRunNotice(r), () => this.options.showWindow());
  }

  /** The queue paused itself (a full disk): only the person can make room. */
  queuePaused(error: ApiError): void {
    this.show(queuePausedNotice(error), () => this.options.showWindow());
  }

  /** A download failed because the server no longer accepts the source's key or password. */
  taskChanged(task: TaskDto): void {
    const notice = signInNotice(task);
    if (!notice) return;
    const now = Date.now();
    if (now - this.lastSignInNotice < signInNoticeEveryMs) return;
    this.lastSignInNotice = now;
    this.show(notice, () => this.options.showWindow());
  }

  private show(content: NoticeText | null, onClick: () => void): void {
    if (!content || !Notification.isSupported()) return;
    const notice = new Notification({ ...content, icon: this.options.icon, silent: content.urgency !== 'critical' });
    this.shown.add(notice);
    // Some Linux notification servers never report a close: keep the newest few only.
    if (this.shown.size > 20) this.shown.delete(this.shown.values().next().value!);
    const forget = (): void => {
      this.shown.delete(notice);
    };
    notice.on('click', () => {
      forget();
      onClick();
    });
    notice.on('close', forget);
    notice.on('failed', (_event, error) => {
      forget();
      this.options.log.warn(`A notification could not be shown: ${error}`);
    });
    notice.show();
  }
}
