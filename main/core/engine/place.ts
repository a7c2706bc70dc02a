import fsp from 'node:fs/promises';
import path from 'node:path';
import { freePath } from '../naming.js';
import type { ConflictPolicy } from '../settings.js';

/**
 * Moves a verified part file to its final name. With `rename`, an existing file is never replaced:
 * a hard link claims the name atomically and fails if it is taken, and we try `name (1).ext` next.
 * Returns the path used, or null when the policy is `skip` and the name is taken.
 */
export async function placeFile(part: string, target: string, policy: ConflictPolicy): Promise<string | null> {
  if (policy === 'overwrite') {
    await fsp.rename(part, target);
    return target;
  }
  let candidate = target;
  for (;;) {
    try {
      await fsp.link(part, candidate);
      await fsp.unlink(part);
      return candidate;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EEXIST') {
        if (policy === 'skip') return null;
        candidate = freePath(path.dirname(target), path.basename(target));
        continue;
      }
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV' || code === 'EMLINK') {
        // File systems without hard links (FAT, exFAT, some network shares): check, then rename.
        return renameIfFree(part, candidate, policy);
      }
      throw err;
    }
  }
}

async function renameIfFree(part: string, target: string, policy: ConflictPolicy): Promise<string | null> {
  let candidate = target;
  if (await exists(candidate)) {
    if (policy === 'skip') return null;
    candidate = freePath(path.dirname(target), path.basename(target));
  }
  await fsp.rename(part, candidate);
  return candidate;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.lstat(file);
    return true;
  } catch {
    return false;
  }
}
