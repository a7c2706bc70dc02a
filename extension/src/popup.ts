// The toolbar popup: the queue's progress, the page's links to add to the download list, and a way
// to the app. Opened as a tab (popup.html?tab=ID), it works on that tab's page.
import type { HostProgressDto, HostReply } from '../../preload/browser.js';
import { formatBytes, plural } from './format.js';
import { ask } from './host.js';
import { filterLinks, usableLinks, type LinkType, type PageLink } from './links.js';
import { collectPageLinks } from './page-links.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = $<HTMLParagraphElement>('status');

function say(ok: boolean, message: string): void {
  status.textContent = message;
  status.classList.toggle('error', !ok);
}

// ---- Progress: asked again a moment after each answer, while the popup is open.

function showProgress(p: HostProgressDto): void {
  const { counts, bytesDone, bytesTotal } = p.totals;
  const waiting = counts.queued + counts.paused;
  const summary = $<HTMLParagraphElement>('queue-summary');
  summary.textContent =
    counts.active + waiting === 0
      ? `Nothing is downloading (${plural(counts.completed, 'file')} done).`
      : `${counts.active} downloading, ${waiting} waiting, ${plural(counts.completed, 'file')} done${bytesTotal ? `: ${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}` : ''}.`;
  const bar = $<HTMLProgressElement>('overall');
  bar.hidden = bytesTotal === 0;
  bar.value = bytesTotal ? bytesDone / bytesTotal : 0;
  bar.setAttribute('aria-valuetext', `${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}`);
  const list = $<HTMLUListElement>('active');
  list.replaceChildren(
    ...p.active.map((t) => {
      const li = document.createElement('li');
      li.textContent = t.total ? `${t.name}: ${Math.floor((100 * t.bytes) / t.total)}% of ${formatBytes(t.total)}` : `${t.name}: ${formatBytes(t.bytes)}`;
      return li;
    }),
  );
}

async function pollProgress(): Promise<void> {
  const reply = await ask({ type: 'progress' });
  if (reply.ok) showProgress(reply.value);
  else $<HTMLParagraphElement>('queue-summary').textContent = reply.error.message;
  setTimeout(() => void pollProgress(), 1500);
}

// ---- The page's links.

let pageLinks: PageLink[] = [];
const chosen = new Set<string>();

function shown(): PageLink[] {
  return filterLinks(pageLinks, $<HTMLSelectElement>('type').value as LinkType, $<HTMLInputElement>('pattern').value);
}

function renderLinks(): void {
  const visible = shown();
  $<HTMLUListElement>('links').replaceChildren(
    ...visible.map((l) => {
      const li = document.createElement('li');
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = chosen.has(l.url);
      box.addEventListener('change', () => {
        if (box.checked) chosen.add(l.url);
        else chosen.delete(l.url);
        updateAdd();
      });
      const name = decodeURIComponent(new URL(l.url).pathname.split('/').pop() || l.url);
      label.append(box, ` ${name}${l.text && l.text !== name ? ` (${l.text})` : ''}`);
      label.title = l.url;
      li.append(label);
      return li;
    }),
  );
  const all = $<HTMLInputElement>('select-all');
  all.checked = visible.length > 0 && visible.every((l) => chosen.has(l.url));
  updateAdd();
}

/** Only the chosen links still shown are added: a filter changed afterwards narrows the choice. */
function toAdd(): string[] {
  return shown()
    .filter((l) => chosen.has(l.url))
    .map((l) => l.url);
}

function updateAdd(): void {
  const n = toAdd().length;
  const add = $<HTMLButtonElement>('add');
  add.disabled = n === 0;
  add.textContent = n ? `Add ${plural(n, 'link')} to the download list` : 'Add to the download list';
}

async function pageTab(): Promise<number | undefined> {
  const given = new URLSearchParams(location.search).get('tab');
  if (given) return Number(given);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

async function pick(): Promise<void> {
  const tabId = await pageTab();
  if (tabId === undefined) return say(false, 'There is no page to take links from.');
  try {
    const [result] = await chrome.scripting.executeScript({ target: { tabId }, func: collectPageLinks, args: [false] });
    pageLinks = usableLinks((result?.result as PageLink[] | undefined) ?? []);
  } catch (err) {
    return say(false, `The browser does not let Cartage read this page (${(err as Error).message}).`);
  }
  $<HTMLFormElement>('picker').hidden = false;
  $<HTMLButtonElement>('pick').hidden = true;
  $<HTMLHeadingElement>('links-title').textContent = `Links on this page (${pageLinks.length})`;
  renderLinks();
}

async function add(event: Event): Promise<void> {
  event.preventDefault();
  const urls = toAdd();
  const reply = await ask({ type: 'list', urls });
  if (reply.ok) {
    for (const u of urls) chosen.delete(u);
    renderLinks();
    say(true, reply.value.message);
  } else say(false, reply.error.message);
}

async function open(): Promise<void> {
  const reply = (await chrome.runtime.sendMessage({ type: 'open' })) as HostReply<'open'>;
  if (!reply.ok) say(false, reply.error.message);
}

async function start(): Promise<void> {
  const { lastMessage } = (await chrome.storage.session.get('lastMessage')) as { lastMessage?: { ok: boolean; message: string } };
  // What the last context menu or takeover did, shown once.
  if (lastMessage) say(lastMessage.ok, lastMessage.message);
  await chrome.storage.session.remove('lastMessage');
  await chrome.action.setBadgeText({ text: '' });
  $('pick').addEventListener('click', () => void pick());
  $('type').addEventListener('change', renderLinks);
  $('pattern').addEventListener('input', renderLinks);
  $('select-all').addEventListener('change', () => {
    const on = $<HTMLInputElement>('select-all').checked;
    for (const l of shown()) {
      if (on) chosen.add(l.url);
      else chosen.delete(l.url);
    }
    renderLinks();
  });
  $('picker').addEventListener('submit', (e) => void add(e));
  $('open').addEventListener('click', () => void open());
  await pollProgress();
}

void start();
