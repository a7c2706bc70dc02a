import type { Layout } from '../../../preload/domain.js';
import { safeFileName } from '../naming.js';

// The list is the contract's (one list for the core, the DTOs and the database's checks).
export { layouts, type Layout } from '../../../preload/domain.js';

/** What the layout needs to know of a file. */
export interface Placeable {
  /** The stored source's name, or null for a plain link (its host is used). */
  sourceName: string | null;
  url: string;
  folder: string;
  takenAt: Date | null;
}

/**
 * The folders a file goes in under the target, each one a safe name: none (flat); the source and
 * the folder it was listed in (folders); `YYYY/YYYY-MM` from the capture date, else `undated` (date).
 */
export function layoutFolders(item: Placeable, layout: Layout): string[] {
  switch (layout) {
    case 'flat':
      return [];
    case 'folders': {
      const top = item.sourceName ?? new URL(item.url).hostname;
      return [top, ...item.folder.split('/').filter((s) => s && s !== '.' && s !== '..')].map((s) => safeFileName(s));
    }
    case 'date': {
      if (!item.takenAt || Number.isNaN(item.takenAt.getTime())) return ['undated'];
      const year = String(item.takenAt.getUTCFullYear()).padStart(4, '0');
      const month = String(item.takenAt.getUTCMonth() + 1).padStart(2, '0');
      return [year, `${year}-${month}`];
    }
  }
}
