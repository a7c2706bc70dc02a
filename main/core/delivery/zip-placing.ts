import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/connection.js';
import { placedAt, placeFile } from '../engine/place.js';
import { CartageError } from '../errors.js';
import { forgetPlacing, intendPlacing, setStaging } from './delivery-store.js';

/** Suffix of a zip being written, the same as a download's part file: unfinished work looks alike. */
export const zipPartSuffix = '.cartage-part';

/** Records where a finished zip of `bytes` is about to be placed; false when it may not be any more (canceled). */
export type ZipIntend = (candidate: string, bytes: number) => boolean;

/**
 * Places the finished, fsynced temp file of the zip meant for `finalPath` (at `name (1).zip` if that
 * is taken) and fsyncs the folder. Also how a zip finished before a crash is placed on the next start.
 */
export async function placeZip(finalPath: string, bytes: number, intend: ZipIntend = () => true): Promise<string> {
  const tempPath = finalPath + zipPartSuffix;
  let placed;
  try {
    placed = placeFile(tempPath, finalPath, 'rename', (candidate) => intend(candidate, bytes));
    await syncFolder(path.dirname(finalPath));
  } catch (err) {
    throw new CartageError(
      'cannot_write',
      `${path.basename(finalPath)} was zipped but could not be named in ${path.dirname(finalPath)} (${(err as { code?: string }).code ?? (err as Error).message}); it is kept as ${path.basename(tempPath)}.`,
      { cause: err },
    );
  }
  if (placed.kind !== 'placed') {
    // Refused: the delivery was canceled meanwhile ('rename' never finds a name taken: it numbers it).
    await fsp.rm(tempPath, { force: true });
    throw new CartageError('cannot_write', `${path.basename(finalPath)} was abandoned before it was placed.`);
  }
  return placed.path;
}

/** fsync of the folder, so the rename itself survives a power cut. Not possible everywhere (Windows). */
async function syncFolder(dir: string): Promise<void> {
  let handle: fsp.FileHandle | null = null;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: the file's own data was fsynced before the rename.
  } finally {
    await handle?.close();
  }
}

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
