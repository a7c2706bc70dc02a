// The renderer's entry: DOM only, no Node, no network of its own. It talks to main only through
// `window.cartage`, which the preload exposes; the real views come with the UI.
import type { CartageBridge } from '../../preload/api.js';

declare global {
  interface Window {
    readonly cartage?: CartageBridge;
  }
}

const version = document.querySelector<HTMLElement>('[data-version]');
if (version && window.cartage) version.textContent = `version ${window.cartage.version}`;
