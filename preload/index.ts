// Runs in the sandboxed renderer before the page: exposes the contract's named verbs as
// `window.cartage` and nothing else. Electron loads a sandboxed preload as a CommonJS script, so
// tsconfig.preload.json compiles this file alone to CommonJS; it may import only 'electron' and types.
import { contextBridge } from 'electron';
import type { CartageBridge } from './api.js';

const versionArg = process.argv.find((a) => a.startsWith('--cartage-version='));

const bridge: CartageBridge = {
  version: versionArg ? versionArg.slice('--cartage-version='.length) : 'unknown',
};

contextBridge.exposeInMainWorld('cartage', bridge);
