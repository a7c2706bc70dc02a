import { extensionOf, parsePattern } from './links.js';

/** The person's choice about the browser's own downloads (off unless they turn it on). */
export interface TakeoverSettings {
  enabled: boolean;
  /** Files at least this big (MB) go to Cartage; 0: any size. */
  minSizeMb: number;
  /** Files of these extensions go to Cartage whatever their size ("zip iso mp4"); empty: by size only. */
  types: string;
}

export const defaultTakeover: TakeoverSettings = { enabled: false, minSizeMb: 100, types: '' };

/** What the decision needs of a browser download. */
export interface DownloadFacts {
  url: string;
  finalUrl?: string;
  filename: string;
  totalBytes: number;
  byExtensionId?: string;
}

/** Whether Cartage should take this download over from the browser. */
export function shouldTakeOver(item: DownloadFacts, settings: TakeoverSettings, ownId: string): boolean {
  if (!settings.enabled || item.byExtensionId === ownId) return false;
  const url = item.finalUrl || item.url;
  if (!/^https?:/i.test(url)) return false;
  const types = parsePattern(settings.types);
  const name = item.filename.split(/[\\/]/).pop() ?? '';
  const ext = (name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '') || extensionOf(url);
  if (types.size > 0 && types.has(ext)) return true;
  if (types.size > 0 && settings.minSizeMb <= 0) return false;
  return item.totalBytes > 0 && item.totalBytes >= settings.minSizeMb * 1024 * 1024;
}
