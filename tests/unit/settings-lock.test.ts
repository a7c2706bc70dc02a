import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/core/db/connection.js';
import { EngineLock } from '../../main/core/lock.js';
import { defaultSettings, SettingsStore } from '../../main/core/settings.js';
import { defaultDataDir } from '../../main/core/paths.js';
import { tempDir } from '../helpers/core.js';

describe('settings', () => {
  it('start from the seed: 6 at once, 6 per host, 3 per group, no speed limit, rename on conflict', () => {
    expect(defaultSettings).toMatchObject({ maxConcurrent: 6, maxPerHost: 6, maxPerGroup: 3, speedLimit: 0, conflictPolicy: 'rename', maxRetries: 3 });
  });

  it('refuse a bad value and keep what was stored', () => {
    const store = new SettingsStore(openDatabase(path.join(tempDir(), 'c.db')));
    store.update({ maxConcurrent: 4 });
    expect(() => store.update({ maxConcurrent: 0 })).toThrow(/The setting maxConcurrent is not valid/);
    expect(() => store.update({ conflictPolicy: 'clobber' as never })).toThrow(/conflictPolicy/);
    expect(store.reload()).toMatchObject({ maxConcurrent: 4, conflictPolicy: 'rename' });
  });
});

describe('the queue lock', () => {
  it('lets one engine hold a data folder, and takes over a lock whose process is gone', () => {
    const dir = tempDir();
    const a = new EngineLock(dir);
    expect(a.tryAcquire()).toEqual({ ok: true });
    fs.writeFileSync(a.file, String(process.ppid));
    expect(new EngineLock(dir).tryAcquire()).toEqual({ ok: false, pid: process.ppid });
    fs.writeFileSync(a.file, '999999999');
    const b = new EngineLock(dir);
    expect(b.tryAcquire()).toEqual({ ok: true });
    b.release();
    expect(fs.existsSync(b.file)).toBe(false);
  });
});

describe('data folder', () => {
  it('is the same per-user folder the app uses, unless CARTAGE_DATA_DIR says otherwise', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/home/a/.config' }, 'linux')).toBe('/home/a/.config/Cartage');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toMatch(/Roaming[\\/]Cartage$/);
    expect(defaultDataDir({}, 'darwin')).toMatch(/Library\/Application Support\/Cartage$/);
    expect(defaultDataDir({ CARTAGE_DATA_DIR: '/tmp/x' }, 'linux')).toBe('/tmp/x');
  });
});
