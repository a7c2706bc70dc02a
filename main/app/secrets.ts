// Seals the secret store's values with the OS keychain (Electron's safeStorage: Keychain, DPAPI,
// libsecret or KWallet). Call after the app is ready: safeStorage answers only then.
import { safeStorage } from 'electron';
import type { Logger } from '../core/log.js';
import type { SecretCipher } from '../core/secrets.js';

/** The keychain cipher, or null (values kept unsealed in the 0600 file) when the system offers none. */
export function keychainCipher(log: Logger): SecretCipher | null {
  if (!safeStorage.isEncryptionAvailable()) {
    log.warn('The system keychain is not available: keys and passwords are kept in secrets.json, readable by this user only, without encryption.');
    return null;
  }
  // On Linux without a keyring, Chromium "encrypts" with a fixed password: no better than the file's permissions.
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    log.warn('No keyring (GNOME Keyring, KWallet) found: keys and passwords are sealed with a built-in key, which protects them no better than the file permissions.');
  }
  return {
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
