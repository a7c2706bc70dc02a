// The two ways the app reaches outside itself: a web link opened in the person's browser, and a
// delivered file or folder shown in the file manager.
import { shell } from 'electron';
import fs from 'node:fs';
import { CartageError } from '../core/errors.js';

/** Opens an http(s) address in the default browser; refuses (false) anything else, such as file: or javascript:. */
export function openWebLink(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  void shell.openExternal(url.href);
  return true;
}

/** Opens a delivered folder, or shows a delivered zip selected in its folder. */
export async function showOnDisk(target: string): Promise<void> {
  const stat = await fs.promises.stat(target).catch(() => null);
  if (!stat) throw new CartageError('not_found', `${target} is no longer there: it was moved or deleted.`);
  if (!stat.isDirectory()) {
    shell.showItemInFolder(target);
    return;
  }
  const problem = await shell.openPath(target);
  if (problem) throw new CartageError('not_found', `The folder ${target} could not be opened: ${problem}`);
}
