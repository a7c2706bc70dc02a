// The takeover of the browser's own downloads: off until the person turns it on here.
import { defaultTakeover, type TakeoverSettings } from './takeover.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

async function load(): Promise<void> {
  const { takeover } = (await chrome.storage.local.get('takeover')) as { takeover?: Partial<TakeoverSettings> };
  const s = { ...defaultTakeover, ...takeover };
  $<HTMLInputElement>('enabled').checked = s.enabled;
  $<HTMLInputElement>('min-size').value = String(s.minSizeMb);
  $<HTMLInputElement>('types').value = s.types;
}

$('form').addEventListener('submit', (event) => {
  event.preventDefault();
  const minSizeMb = Math.max(0, Number($<HTMLInputElement>('min-size').value) || 0);
  const takeover: TakeoverSettings = { enabled: $<HTMLInputElement>('enabled').checked, minSizeMb, types: $<HTMLInputElement>('types').value.trim() };
  void chrome.storage.local.set({ takeover }).then(() => {
    $('saved').textContent = takeover.enabled ? 'Saved: Cartage takes these downloads over from the browser.' : 'Saved: the browser keeps its own downloads.';
  });
});

void load();
