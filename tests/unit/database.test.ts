import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMigrationOrder, openDatabase } from '../../main/core/db/connection.js';
import { latestVersion, migrations, type Migration } from '../../main/core/db/migrations.js';
import { sha256, tempDir } from '../helpers/core.js';

describe('database and migrations', () => {
  it('creates a new database at the latest schema, in WAL mode', () => {
    const file = path.join(tempDir(), 'cartage.db');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('keeps migrations numbered 1, 2, 3 with no gap', () => {
    expect(() => checkMigrationOrder(migrations)).not.toThrow();
    const gap: Migration[] = [{ version: 1, name: 'a', up: () => {} }, { version: 3, name: 'c', up: () => {} }];
    expect(() => checkMigrationOrder(gap)).toThrow(/expected 2/);
  });

  it('refuses a database written by a newer Cartage, and leaves it byte for byte as it was', () => {
    const file = path.join(tempDir(), 'cartage.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE future (x)');
    raw.pragma(`user_version = ${latestVersion + 5}`);
    raw.close();
    const before = sha256(fs.readFileSync(file));
    expect(() => openDatabase(file)).toThrow(/newer version of Cartage.*left untouched/);
    expect(sha256(fs.readFileSync(file))).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('runs migrations in one transaction: a failing step leaves the database at its old version', () => {
    const file = path.join(tempDir(), 'cartage.db');
    openDatabase(file).close();
    const broken: Migration[] = [
      ...migrations,
      { version: latestVersion + 1, name: 'adds a table', up: (db) => db.exec('CREATE TABLE extra (x)') },
      { version: latestVersion + 2, name: 'fails', up: () => { throw new Error('boom'); } },
    ];
    expect(() => openDatabase(file, broken)).toThrow('boom');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeUndefined();
    db.close();
  });

  it('says clearly when the file is not a database', () => {
    const file = path.join(tempDir(), 'cartage.db');
    fs.writeFileSync(file, 'this is not sqlite'.repeat(100));
    expect(() => openDatabase(file)).toThrow(/not a Cartage database, or it is damaged/);
  });
});
