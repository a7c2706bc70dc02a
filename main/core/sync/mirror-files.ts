/** The mirror's pure file rules: where a file goes, whether a file on disk is the mirror's, hashing, sidecars. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Logger } from '../log.js';
import { safeFileName } from '../naming.js';
import type { ChecksumAlgo } from '../queue/task.js';
import { trimSlashes } from '../sources/refs.js';
import type { RemoteFile } from '../sources/types.js';
import { assertNever } from '../util/assert-never.js';
import type { MirrorRow } from './mirror-views.js';

/** What a mirror recorded of a file it wrote. */
export interface FileRecord {
  rel_path: string;
  size: number | null;
  checksum: string | null;
  etag: string | null;
  modified: number | null;
}

/** Where a file goes under the mirror's folder: its folder below the scope, or its capture month. */
export function mirrorFolders(file: RemoteFile, m: Pick<MirrorRow, 'layout' | 'scope_kind' | 'scope'>): string[] {
  if (m.layout === 'date') {
    const when = file.takenAt ?? file.modified;
    if (!when) return ['undated'];
    const year = String(when.getUTCFullYear());
    return [year, `${year}-${String(when.getUTCMonth() + 1).padStart(2, '0')}`];
  }
  if (m.scope_kind !== 'path') return [];
  // Sources write paths with or without a leading slash (WebDAV: '/a/b'; web folders: 'a/b').
  const scope = trimSlashes(m.scope);
  const folder = trimSlashes(file.folder);
  const below = scope ? (folder.startsWith(`${scope}/`) ? folder.slice(scope.length + 1) : '') : folder;
  return below
    .split('/')
    .filter((s) => s && s !== '.' && s !== '..')
    .map((s) => safeFileName(s));
}

/** The source still describes the file the record holds. */
export function sameRemote(rec: FileRecord, f: RemoteFile): boolean {
  if (rec.checksum !== null && f.checksum) return rec.checksum === f.checksum.value;
  if (rec.size !== null && f.size !== null && rec.size !== f.size) return false;
  if (rec.etag !== null && f.etag !== null) return rec.etag === f.etag;
  if (rec.modified !== null && f.modified) return rec.modified === f.modified.getTime();
  return rec.size !== null && rec.size === f.size;
}

/** Modification times within this are the same: FAT keeps them to 2 s, HTTP's Last-Modified to 1 s. */
const sameTimeMs = 2000;

/**
 * A file already in the folder, with no record of it (a reinstall, a lost database), is taken as
 * the mirror's copy only on evidence: the source's checksum, or else its size and its modification
 * time, which the mirror sets to the source's when it writes a file. Size alone could take a
 * person's own file, which --apply-deletions would later move to the trash.
 */
export function matchesOnDisk(file: string, f: RemoteFile): boolean {
  const st = statFile(file);
  if (!st || f.size === null || st.size !== f.size) return false;
  if (f.checksum) return digestOf(file, f.checksum.algo) === f.checksum.value;
  return f.modified !== null && Math.abs(st.mtimeMs - f.modified.getTime()) < sameTimeMs;
}

/** What a mirror recorded of a file the source no longer lists. */
export interface GoneRecord {
  rel_path: string;
  size: number | null;
  checksum: string | null;
}

/**
 * Whether a recorded file deleted on the source may go to the trash: true when it is still the
 * file the mirror wrote (its recorded size, and checksum when one was recorded), false when it
 * is another file now, null when nothing is there.
 */
export function trashable(file: string, rec: GoneRecord): boolean | null {
  const st = statFile(file);
  if (!st) return null;
  if (rec.size === null || st.size !== rec.size) return false;
  if (rec.checksum === null) return true;
  // mirror_files keeps the value only: a SHA-256 is 64 hex digits, Immich's SHA-1 is base64.
  return digestOf(file, /^[0-9a-f]{64}$/.test(rec.checksum) ? 'sha256-hex' : 'sha1-base64') === rec.checksum;
}

/** Sets a file's modification time (ms since 1970); a file system that refuses is logged, not fatal. */
export function setModified(file: string, ms: number, log: Logger): void {
  try {
    fs.utimesSync(file, new Date(), new Date(ms));
  } catch (err) {
    log.warn(`could not set the modification time of ${file}: ${(err as Error).message}`);
  }
}

/** The file's stat, or null when it is not a file. */
export function statFile(file: string): fs.Stats | null {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

/** A file's checksum written as the source writes it. */
export function digestOf(file: string, algo: ChecksumAlgo): string {
  switch (algo) {
    case 'sha1-base64':
      return hashFile(file, 'sha1', 'base64');
    case 'sha256-hex':
      return hashFile(file, 'sha256', 'hex');
    case 'md5-hex':
      return hashFile(file, 'md5', 'hex');
    default:
      return assertNever(algo, 'checksum algorithm');
  }
}

/** The file's size, or null when it is not a file. */
export function statSize(file: string): number | null {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st.size : null;
  } catch {
    return null;
  }
}

/** Hashes a file 1 MiB at a time. */
export function hashFile(file: string, name: 'sha1' | 'sha256' | 'md5', encoding: 'base64' | 'hex'): string {
  const hash = createHash(name);
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest(encoding);
}

/** What a sidecar says of a file: its source, id, name, capture time, live photo, albums and the source's metadata. */
export function sidecarOf(part: RemoteFile, item: RemoteFile, source: string, albums: string[] | null): Record<string, unknown> {
  return {
    source,
    id: part.id,
    name: part.name,
    takenAt: (item.takenAt ?? item.modified)?.toISOString() ?? null,
    livePhotoOf: part === item ? null : item.name,
    ...(albums ? { albums } : {}),
    ...(item.metadata ?? {}),
  };
}

/**
 * Writes `FILE.json` whole or not at all (a temporary file, then a rename). Only a sidecar of a
 * file the mirror replaced may replace one; otherwise an existing `.json` (the person's, or one
 * mirrored from the source) is left alone.
 */
export function writeSidecar(file: string, json: string, replace: boolean, log: Logger): void {
  const target = `${file}.json`;
  const temp = `${target}.cartage-part`;
  try {
    // A new file, never one a crash left linked to a sidecar in place (writing through it would change that one).
    fs.rmSync(temp, { force: true });
    fs.writeFileSync(temp, `${JSON.stringify(JSON.parse(json), null, 2)}\n`);
    if (replace) fs.renameSync(temp, target);
    else {
      fs.linkSync(temp, target);
      fs.rmSync(temp);
    }
  } catch (err) {
    fs.rmSync(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') log.info(`kept ${target}: the mirror did not write it`);
    else log.warn(`could not write the sidecar of ${file}: ${(err as Error).message}`);
  }
}
