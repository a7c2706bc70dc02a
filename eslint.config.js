import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noElectron = {
  paths: [
    { name: 'electron', message: 'main/core and main/headless run without Electron: keep Electron in main/app.' },
    { name: 'electron-store', message: 'electron-store needs Electron: keep it in main/app.' },
    { name: 'electron-log/main', message: 'Use electron-log/node outside main/app.' },
  ],
  patterns: [{ group: ['electron/*'], message: 'main/core and main/headless run without Electron.' }],
};

// The layers point one way (ARCHITECTURE.md): app and headless are hosts of the core, so the core
// reaches neither; headless runs without Electron, so it reaches no part of the app; the renderer
// has no Node, and knows main only through the contract in preload/api.ts.
const coreReachesNoHost = {
  group: ['**/headless', '**/headless/**', '**/app', '**/app/**'],
  message: 'main/core is below the hosts: main/app and main/headless may import the core, never the other way round.',
};
// The network layer is below the engine and the sources that both use it.
const netReachesNoUser = {
  group: ['**/engine', '**/engine/**', '**/sources', '**/sources/**'],
  message: 'main/core/net is the one network layer the engine and the sources share: it may not import either.',
};
const headlessReachesNoApp = {
  group: ['**/app', '**/app/**'],
  message: 'main/headless runs without Electron: it may not import main/app.',
};
const rendererReachesNoMain = {
  patterns: [
    { group: ['**/main', '**/main/**'], message: "The renderer knows main only through the contract: import from preload/api, not main/." },
    { group: ['node:*'], message: 'The renderer has no Node: ask main through window.cartage.' },
  ],
};

// Raw IPC only where the contract is carried: main/app/ipc.ts checks every sender, preload/index.ts
// exposes named verbs. Anywhere else it would be a channel that skips both.
const ipcMessage = "IPC goes through main/app/ipc.ts and preload/index.ts only: use the contract's named verbs (window.cartage).";
const ipcOnlyInBridge = {
  paths: [{ name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: ipcMessage }],
};
const ipcByOtherMeans = [
  { selector: 'MemberExpression[property.name=/^ipc(Main|Renderer)$/]', message: ipcMessage },
  { selector: 'ObjectPattern > Property[key.name=/^ipc(Main|Renderer)$/]', message: ipcMessage },
];

export default tseslint.config(
  { ignores: ['dist/**', 'extension/dist/**', 'out/**', 'node_modules/**', 'coverage/**', 'test-results/**', '.reports/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Before the main/core block: its stricter rule (no Electron at all) replaces this one there.
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    ignores: ['main/app/ipc.ts', 'preload/index.ts'],
    rules: {
      'no-restricted-imports': ['error', ipcOnlyInBridge],
      'no-restricted-syntax': ['error', ...ipcByOtherMeans],
    },
  },
  {
    files: ['main/core/**'],
    rules: { 'no-restricted-imports': ['error', { ...noElectron, patterns: [...noElectron.patterns, coreReachesNoHost] }] },
  },
  {
    files: ['main/core/net/**'],
    rules: { 'no-restricted-imports': ['error', { ...noElectron, patterns: [...noElectron.patterns, coreReachesNoHost, netReachesNoUser] }] },
  },
  {
    files: ['main/headless/**'],
    rules: { 'no-restricted-imports': ['error', { ...noElectron, patterns: [...noElectron.patterns, headlessReachesNoApp] }] },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { ...rendererReachesNoMain, paths: ipcOnlyInBridge.paths }] },
  },
  {
    // The browser extension: a page and a worker of the browser, with its extension API (chrome.*).
    files: ['extension/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.webextensions } },
    rules: { 'no-restricted-imports': ['error', { patterns: rendererReachesNoMain.patterns }] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
