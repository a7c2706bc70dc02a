// The order a folder is shown and taken in, the same on every file server: folders and files each by
// name as people read them (IMG_2 before IMG_10, case and accents aside), not the server's own
// order (Apache's WebDAV answers in the order it read the disk; nginx sorts by bytes).
import type { Listing, Source } from './types.js';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Natural order of two names; names equal to people (IMG_1 and img_1) still get one fixed order. */
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A listing in people's order. Immich's listings keep the order they have, which means something
 * there: albums by name, months newest first, photos by the time they were taken.
 */
export function inPeopleOrder(source: Pick<Source, 'kind'>, listing: Listing): Listing {
  if (source.kind === 'immich') return listing;
  return {
    ...listing,
    folders: [...listing.folders].sort((a, b) => compareNames(a.name, b.name)),
    files: [...listing.files].sort((a, b) => compareNames(a.name, b.name)),
  };
}
