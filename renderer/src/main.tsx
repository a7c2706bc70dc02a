// The renderer's entry: DOM only, no Node, no network of its own. Everything goes through
// `window.cartage`, which the preload (Electron) or bridge.js (`cartage serve`) defines before this
// script runs; without it the page says so instead of failing silently.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { NoBridge } from './views/NoBridge';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  const bridge = window.cartage;
  if (!bridge) document.body.dataset.bridge = 'missing';
  createRoot(root).render(<StrictMode>{bridge ? <App bridge={bridge} /> : <NoBridge />}</StrictMode>);
}
