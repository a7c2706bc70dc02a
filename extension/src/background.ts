// The extension's background (a service worker in Chromium, an event page in Firefox): the context
// menus, the takeover of the browser's own downloads, and the popup's errands to the host.
import { ask, sendToQueue, type Outgoing } from './host.js';
import { usableLinks } from './links.js';
import { collectPageLinks } from './page-links.js';
import { defaultTakeover, shouldTakeOver, type TakeoverSettings } from './takeover.js';

const menus = {
  download: 'Download with Cartage',
  list: 'Add to the Cartage download list',
} as const;
type MenuId = keyof typeof menus;

chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.removeAll(() => {
    for (const [id, title] of Object.entries(menus)) {
      chrome.contextMenus.create({ id, title, contexts: ['link', 'image', 'video', 'audio', 'selection'] });
    }
  });
});

/** The links a menu click is about: the link, image or video under the pointer, or those in the selection. */
async function linksOfClick(info: chrome.contextMenus.OnClickData, tab?: chrome.tabs.Tab): Promise<string[]> {
  const direct = info.linkUrl ?? info.srcUrl;
  if (direct) return [direct];
  if (info.selectionText && tab?.id !== undefined) {
    const [result] = await chrome.scripting.executeScript({ target: { tabId: tab.id, frameIds: [info.frameId ?? 0] }, func: collectPageLinks, args: [true] });
    return usableLinks((result?.result as { url: string; text: string }[] | undefined) ?? []).map((l) => l.url);
  }
  return [];
}

/** Tells the person how it went, on the toolbar button (the popup shows the sentence). */
async function report(ok: boolean, message: string): Promise<void> {
  await chrome.storage.session.set({ lastMessage: { ok, message, at: Date.now() } });
  await chrome.action.setBadgeBackgroundColor({ color: ok ? '#2e7d32' : '#c62828' });
  await chrome.action.setBadgeText({ text: ok ? '✓' : '!' });
  await chrome.action.setTitle({ title: `Cartage: ${message}` });
}

/** What a context menu entry does; also what the tests call, real menus being out of a script's reach. */
async function onMenu(id: MenuId, info: chrome.contextMenus.OnClickData, tab?: chrome.tabs.Tab): Promise<{ ok: boolean; message: string }> {
  const urls = await linksOfClick(info, tab);
  if (urls.length === 0) {
    await report(false, 'There is no link there to send to Cartage.');
    return { ok: false, message: 'There is no link there to send to Cartage.' };
  }
  const referrer = info.frameUrl ?? info.pageUrl;
  const reply =
    id === 'download' ? await sendToQueue(urls.map((url): Outgoing => ({ url, ...(referrer ? { referrer } : {}) }))) : await ask({ type: 'list', urls });
  const outcome = reply.ok ? { ok: true, message: reply.value.message } : { ok: false, message: reply.error.message };
  await report(outcome.ok, outcome.message);
  return outcome;
}

chrome.contextMenus.onClicked.addListener((info, tab) => {
  const id = String(info.menuItemId);
  if (id === 'download' || id === 'list') void onMenu(id, info, tab);
});

async function takeoverSettings(): Promise<TakeoverSettings> {
  const { takeover } = (await chrome.storage.local.get('takeover')) as { takeover?: Partial<TakeoverSettings> };
  return { ...defaultTakeover, ...takeover };
}

/**
 * The browser's own downloads, when the person chose so: Cartage gets the URL, its cookies and
 * Referer, and the browser's copy, paused meanwhile, is canceled only once Cartage has queued it.
 * When Cartage cannot be reached or refuses, the browser's download goes on.
 */
async function onBrowserDownload(item: chrome.downloads.DownloadItem): Promise<string> {
  if (!shouldTakeOver(item, await takeoverSettings(), chrome.runtime.id)) return 'left to the browser';
  // Held while Cartage is asked, so that it does not finish twice (a paused transfer only stops
  // reading: resuming goes on from where it was).
  const paused = await chrome.downloads.pause(item.id).then(
    () => true,
    () => false,
  );
  const fileName = item.filename ? item.filename.split(/[\\/]/).pop() : undefined;
  const url = item.finalUrl || item.url;
  const reply = await sendToQueue([{ url, ...(fileName ? { fileName } : {}), ...(item.referrer ? { referrer: item.referrer } : {}) }]);
  if (!reply.ok) {
    if (paused) await chrome.downloads.resume(item.id).catch(() => undefined);
    await report(false, `The browser keeps this download: ${reply.error.message}`);
    return `kept: ${reply.error.message}`;
  }
  try {
    await chrome.downloads.cancel(item.id);
    await chrome.downloads.erase({ id: item.id });
  } catch {
    // It finished in the meantime: the browser's copy stays too.
  }
  await report(true, reply.value.message);
  return `taken over as task ${reply.value.taskIds.join(', ')}`;
}

chrome.downloads.onCreated.addListener((item) => void onBrowserDownload(item));

// The popup asks through here: one place that talks to the host, and that opens tabs.
chrome.runtime.onMessage.addListener((message: { type: 'open' }, _sender, respond) => {
  if (message.type !== 'open') return false;
  void ask({ type: 'open' }).then(async (reply) => {
    if (reply.ok && reply.value.url) await chrome.tabs.create({ url: reply.value.url });
    respond(reply);
  });
  return true;
});

// For the end-to-end tests, which cannot click a real context menu or wait on a download's fate.
(globalThis as unknown as { cartage: unknown }).cartage = { onMenu, onBrowserDownload };
