// Keeps the system awake while downloads run, and lets it sleep again after.
import { powerSaveBlocker } from 'electron';

/** Holds one 'prevent-app-suspension' blocker while `set(true)`; releases it on `set(false)`. */
export class SleepBlocker {
  private id: number | null = null;

  set(downloading: boolean): void {
    if (downloading && this.id === null) {
      this.id = powerSaveBlocker.start('prevent-app-suspension');
    } else if (!downloading && this.id !== null) {
      if (powerSaveBlocker.isStarted(this.id)) powerSaveBlocker.stop(this.id);
      this.id = null;
    }
  }
}
