import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMigrationOrder, openDatabase } from '../../main/core/db/connection.js';
import { latestVersion, migrations, type Migration } from '../../main/core/db/migrations.js';
import { deliveryKinds, deliveryStates, layouts, mirrorLayouts, sourceKinds, taskGroups, taskStates } from '../../preload/domain.js';
import { conflictPolicies } from '../../preload/settings-limits.js';
import { runStates } from '../../main/core/sync/run-states.js';
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

  it('seals, on upgrade to v5, the failed files of zips written or canceled before, and nothing else', () => {
    const file = path.join(tempDir(), 'cartage.db');
    openDatabase(file, migrations.filter((m) => m.version <= 4)).close();
    const raw = new Database(file);
    const task = raw.prepare(
      `INSERT INTO tasks (source_ref, url, name, dir, final_path, temp_path, grp, host, state, created_at, updated_at)
       VALUES ('url', 'http://h/x', ?, '/d', ?, ?, 'other', 'h', 'failed', 0, 0)`,
    );
    const id = (name: string): number => Number(task.run(name, `/d/${name}`, `/d/${name}.cartage-part`).lastInsertRowid);
    const delivery = raw.prepare(`INSERT INTO deliveries (name, kind, dir, layout, state, files, bytes, created_at) VALUES (?, ?, '/d', 'flat', ?, 1, 0, 0)`);
    const item = raw.prepare('INSERT INTO delivery_items (delivery_id, task_id, motion_task_id, entry_name) VALUES (?, ?, ?, ?)');
    const cases: [string, 'zip' | 'files', string][] = [['written', 'zip', 'completed'], ['dropped', 'zip', 'canceled'], ['running', 'zip', 'running'], ['folder', 'files', 'completed']];
    const tasks: Record<string, number> = {};
    for (const [name, kind, state] of cases) {
      tasks[name] = id(`${name}.jpg`);
      tasks[`${name}-motion`] = id(`${name}.mov`);
      item.run(delivery.run(name, kind, state).lastInsertRowid, tasks[name], tasks[`${name}-motion`], `${name}.jpg`);
    }
    raw.close();
    const db = openDatabase(file);
    const sealed = db.prepare('SELECT name FROM tasks WHERE sealed = 1 ORDER BY id').pluck().all();
    expect(sealed).toEqual(['written.jpg', 'written.mov', 'dropped.jpg', 'dropped.mov']);
    db.close();
  });

  it('widens, on upgrade to v8, the checks for Synapse sources and MD5 checksums, keeping rows, ids, indexes and mirrors', () => {
    const file = path.join(tempDir(), 'cartage.db');
    openDatabase(file, migrations.filter((m) => m.version <= 7)).close();
    const raw = new Database(file);
    raw.pragma('foreign_keys = ON');
    const source = Number(raw.prepare(`INSERT INTO sources (name, kind, url, auth, created_at) VALUES ('nas', 'webdav', 'http://h/', 'none', 0)`).run().lastInsertRowid);
    raw.prepare(`INSERT INTO mirrors (source_id, scope_kind, scope, dir, layout, created_at) VALUES (?, 'path', '', '/m', 'folders', 0)`).run(source);
    const task = Number(
      raw.prepare(`INSERT INTO tasks (id, source_ref, url, name, dir, final_path, temp_path, grp, host, state, checksum_algo, checksum, created_at, updated_at)
         VALUES (7, 'url', 'http://h/x', 'x', '/d', '/d/x', '/d/x.part', 'other', 'h', 'queued', 'sha256-hex', 'ab', 0, 0)`).run().lastInsertRowid,
    );
    expect(() => raw.prepare(`UPDATE tasks SET checksum_algo = 'md5-hex' WHERE id = ?`).run(task)).toThrow(/CHECK/);
    raw.close();
    const db = openDatabase(file);
    db.prepare(`UPDATE tasks SET checksum_algo = 'md5-hex' WHERE id = ?`).run(task);
    db.prepare(`INSERT INTO sources (name, kind, url, auth, created_at) VALUES ('syn', 'synapse', 'http://s/', 'api-key', 0)`).run();
    expect(db.prepare('SELECT id, checksum_algo FROM tasks').all()).toEqual([{ id: 7, checksum_algo: 'md5-hex' }]);
    expect(db.prepare('SELECT source_id FROM mirrors').pluck().all()).toEqual([source]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks' ORDER BY name").pluck().all()).toEqual(['tasks_by_final_path', 'tasks_by_state', 'tasks_placing', 'tasks_waiting']);
    expect(() => db.prepare(`INSERT INTO sources (name, kind, url, auth, created_at) VALUES ('x', 'ftp', 'http://s/', 'none', 0)`).run()).toThrow(/CHECK/);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it("renames, on upgrade, web folders stored as 'http-index' to 'web', keeping their ids, secrets' keys and mirrors", () => {
    const renaming = migrations.find((m) => m.name === "a web folder's kind is 'web'")!;
    const file = path.join(tempDir(), 'cartage.db');
    openDatabase(file, migrations.filter((m) => m.version < renaming.version)).close();
    const raw = new Database(file);
    raw.pragma('foreign_keys = ON');
    raw.prepare(`INSERT INTO sources (id, name, kind, url, username, auth, created_at) VALUES (5, 'files', 'http-index', 'http://h/files/', 'ann', 'password', 0)`).run();
    raw.prepare(`INSERT INTO sources (id, name, kind, url, auth, created_at) VALUES (6, 'nas', 'webdav', 'http://h/dav/', 'none', 0)`).run();
    raw.prepare(`INSERT INTO mirrors (id, source_id, scope_kind, scope, dir, layout, created_at) VALUES (3, 5, 'path', 'photos', '/m', 'folders', 0)`).run();
    expect(() => raw.prepare(`INSERT INTO sources (name, kind, url, auth, created_at) VALUES ('early', 'web', 'http://h/', 'none', 0)`).run()).toThrow(/CHECK/);
    raw.close();
    const db = openDatabase(file);
    expect(db.prepare('SELECT id, name, kind, url, username, auth FROM sources ORDER BY id').all()).toEqual([
      { id: 5, name: 'files', kind: 'web', url: 'http://h/files/', username: 'ann', auth: 'password' },
      { id: 6, name: 'nas', kind: 'webdav', url: 'http://h/dav/', username: null, auth: 'none' },
    ]);
    expect(db.prepare('SELECT id, source_id, scope FROM mirrors').all()).toEqual([{ id: 3, source_id: 5, scope: 'photos' }]);
    // The old word is gone for good: no row can be written with it again.
    expect(() => db.prepare(`INSERT INTO sources (name, kind, url, auth, created_at) VALUES ('old', 'http-index', 'http://h/', 'none', 0)`).run()).toThrow(/CHECK/);
    db.prepare(`INSERT INTO sources (name, kind, url, auth, created_at) VALUES ('new', 'web', 'http://h/', 'none', 0)`).run();
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it("allows in each checked column exactly the contract's words: states, kinds, layouts, groups", () => {
    const db = openDatabase(path.join(tempDir(), 'cartage.db'));
    const allowed = (table: string, column: string): string[] => {
      const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) as string;
      const list = new RegExp(`CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(sql)?.[1] ?? '';
      return [...list.matchAll(/'([^']*)'/g)].map((m) => m[1]!).sort();
    };
    const sorted = (words: readonly string[]): string[] => [...words].sort();
    expect(allowed('tasks', 'state')).toEqual(sorted(taskStates));
    expect(allowed('tasks', 'grp')).toEqual(sorted(taskGroups));
    expect(allowed('tasks', 'conflict')).toEqual(sorted(conflictPolicies));
    expect(allowed('sources', 'kind')).toEqual(sorted(sourceKinds));
    expect(allowed('deliveries', 'kind')).toEqual(sorted(deliveryKinds));
    expect(allowed('deliveries', 'layout')).toEqual(sorted(layouts));
    expect(allowed('deliveries', 'state')).toEqual(sorted(deliveryStates));
    expect(allowed('mirrors', 'layout')).toEqual(sorted(mirrorLayouts));
    expect(allowed('mirror_runs', 'state')).toEqual(sorted(runStates));
    db.close();
  });

  it('says clearly when the file is not a database', () => {
    const file = path.join(tempDir(), 'cartage.db');
    fs.writeFileSync(file, 'this is not sqlite'.repeat(100));
    expect(() => openDatabase(file)).toThrow(/not a Cartage database, or it is damaged/);
  });
});
