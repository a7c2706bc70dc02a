// Immich previews, asked of main a few at a time and kept for the session: a folder of 2,000 photos
// scrolled past costs the requests for what was seen, once each.
import type { CartageBridge } from '../../../preload/api';
import { ask } from './bridge';

/** Previews asked of main at once: more would only queue behind each other on the same server. */
const atOnce = 4;
/** Previews kept (a few KB each); the oldest go first. */
const kept = 2000;

const cache = new Map<string, Promise<string | null>>();
const waiting: (() => void)[] = [];
let running = 0;

function slot(): Promise<void> {
  if (running < atOnce) {
    running += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running -= 1;
}

/** The data: URL of a file's preview, or null when there is none (a failure shows the plain row). */
export function loadThumbnail(bridge: CartageBridge, sourceId: number, fileId: string, href?: string): Promise<string | null> {
  const key = `${sourceId}/${fileId}`;
  let found = cache.get(key);
  if (!found) {
    found = slot().then(async () => {
      try {
        const result = await ask(() => bridge.sources.thumbnail({ sourceId, fileId, ...(href ? { href } : {}) }));
        return result.ok ? result.value.dataUrl : null;
      } finally {
        release();
      }
    });
    cache.set(key, found);
    if (cache.size > kept) cache.delete(cache.keys().next().value!);
  }
  return found;
}
