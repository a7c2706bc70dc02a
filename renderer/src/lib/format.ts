// How numbers read in the window: decimal byte units ("2.4 MB", as disks and servers count), short
// durations ("3 min"), and counts with their noun ("1 file", "12 files").

const byteUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;
const counts = new Intl.NumberFormat('en-US');

/** "2.4 MB", "340 MB", "512 B"; one decimal below 100 of a unit, none above. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return 'unknown size';
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < byteUnits.length - 1) {
    value /= 1000;
    unit += 1;
  }
  let text = value >= 100 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
  // 999.96 kB rounds to "1000 kB": say "1 MB" instead.
  if (Number(text) >= 1000 && unit < byteUnits.length - 1) {
    unit += 1;
    text = '1';
  }
  return `${text} ${byteUnits[unit]}`;
}

/** "1.2 MB/s". */
export function formatSpeed(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond === null || bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond)) return '';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** "45 s", "3 min", "1 h 20 min", "2 d 3 h": rounded the way people say it. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${Math.max(seconds, 1)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** "1 file", "12 files", "1,204 files". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${counts.format(n)} ${n === 1 ? noun : nouns}`;
}

/** A count and its known size: "12 files, 340 MB", with the files of unknown size said apart. */
export function formatSummary(files: number, bytes: number, unknownSizes = 0): string {
  const known = `${plural(files, 'file')}, ${formatBytes(bytes)}`;
  if (unknownSizes === 0 || files === 0) return known;
  return `${known} (${unknownSizes === files ? 'sizes unknown' : `${counts.format(unknownSizes)} of unknown size`})`;
}

/** A date and time in the person's own format; takes epoch milliseconds or an ISO string. */
export function formatDate(when: number | string | null | undefined): string {
  if (when === null || when === undefined) return '';
  const date = new Date(when);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Whole percent of done over total, or null when the total is unknown. */
export function percent(done: number, total: number | null | undefined): number | null {
  if (total === null || total === undefined || !Number.isFinite(total) || total <= 0) return null;
  return Math.min(100, Math.max(0, Math.floor((done / total) * 100)));
}
