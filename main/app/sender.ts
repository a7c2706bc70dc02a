// Who may call main: only the top frame of our window, showing our page. Types only from
// 'electron', so the check reads (and runs) without it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of an IPC event the check reads (Electron's IpcMainInvokeEvent has them all). */
export interface SenderFacts {
  sender: unknown;
  senderFrame: { url: string; parent: unknown } | null;
}

/** Why a message is refused, for the log; null when it comes from our page in our window. */
export function senderRefusal(event: SenderFacts, ourContents: unknown, pageFile: string): string | null {
  if (ourContents === null || event.sender !== ourContents) return 'it does not come from the Cartage window';
  const frame = event.senderFrame;
  // null: the frame navigated away or was destroyed while the message was on its way.
  if (!frame) return 'its frame is gone';
  if (frame.parent !== null) return 'it comes from a frame inside the page';
  if (!isPage(frame.url, pageFile)) return `it comes from ${frame.url.startsWith('file:') ? frame.url : 'a page that is not Cartage'}`;
  return null;
}

// The page's file, whatever its query or fragment (a view's route may live there).
function isPage(url: string, pageFile: string): boolean {
  let file: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'file:') return false;
    file = fileURLToPath(parsed);
  } catch {
    return false;
  }
  const [a, b] = [path.normalize(file), path.normalize(pageFile)];
  // NTFS compares names without case; Chromium and Node may disagree on a drive letter's case.
  return process.platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b;
}
