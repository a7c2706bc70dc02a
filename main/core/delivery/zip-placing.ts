import fs from 'node:fs';
import type { Db } from '../db/connection.js';
import { placedAt } from '../engine/place.js';
import { forgetPlacing, intendPlacing, setStaging } from './delivery-store.js';
import { placeZip, zipPartSuffix } from './zip.js';

/** What the recovery of a zip being placed reads from its delivery's row. */
export interface PlacingRow {
  id: number;
  zip_path: string | null;
  placing: string | null;
  placing_bytes: number | null;
}

/**
 * A zip that was being placed when Cartage stopped (the row names the path), told from the disk.
 * Placed (its temp file is that file, or is gone and the file has the size recorded): adopted as it
 * is, its temp name removed. Finished but not placed: placed now. Otherwise the intent is forgotten
 * and the zip is written again. Returns the path of the zip when it is at its place.
 */
export async function recoverZipPlacing(db: Db, d: PlacingRow): Promise<string | null> {
  const temp = d.zip_path! + zipPartSuffix;
  const found = placedAt(temp, d.placing!, d.placing_bytes);
  if (found.placed) {
    if (found.partLinked) fs.rmSync(temp, { force: true });
    return d.placing;
  }
  let size: number | null = null;
  try {
    size = fs.statSync(temp).size;
  } catch {
    // No temp file: it is written again.
  }
  if (size !== null && size === d.placing_bytes) return placeZip(d.zip_path!, size, (candidate, bytes) => intendPlacing(db, d.id, candidate, bytes));
  forgetPlacing(db, d.id);
  return null;
}

/** Removes a finished delivery's staging folder, then forgets it: a crash in between leaves it for the next start. */
export function removeStaging(db: Db, id: number, dir: string | null): void {
  if (!dir) return;
  fs.rmSync(dir, { recursive: true, force: true });
  setStaging(db, id, null);
}

/** On start: staging folders of deliveries that completed or were canceled just before a crash. */
export function removeStagingLeftovers(db: Db): void {
  const rows = db
    .prepare("SELECT id, staging_dir FROM deliveries WHERE state IN ('completed', 'canceled') AND staging_dir IS NOT NULL")
    .all() as { id: number; staging_dir: string }[];
  for (const r of rows) removeStaging(db, r.id, r.staging_dir);
}
