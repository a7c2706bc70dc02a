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
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'coverage/**', 'test-results/**', '.reports/**', 'release/**'] },
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
    files: ['main/core/**', 'main/headless/**'],
    rules: { 'no-restricted-imports': ['error', noElectron] },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
);
