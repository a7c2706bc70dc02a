import Database from 'better-sqlite3';
import path from 'node:path';
import { CartageError } from '../errors.js';
import { makeFolder } from '../util/folders.js';
import { latestVersion, migrations, type Migration } from './migrations.js';

export type Db = Database.Database;

/** The environment variable that names a better-sqlite3 built for Electron (set by `npm start` and by the browser's launcher). */
export const sqliteBindingVariable = 'CARTAGE_SQLITE_BINDING';

/**
 * The better-sqlite3 build to load: the one the environment names when this runs in Electron (the
 * app, or its binary run as Node by the browser's launcher); under Node itself, node_modules' own
 * build whatever is set, since Electron's would not load.
 */
export function sqliteBindingFor(env: NodeJS.ProcessEnv, versions: { readonly electron?: string | undefined } = process.versions): string | undefined {
  return versions.electron ? env[sqliteBindingVariable] || undefined : undefined;
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * `db.prepare(sql)`, compiled once per connection and reused: for statements run for every
 * finished download, where compiling the SQL each time cost more than running it (a four-table
 * join took 0.09 ms to prepare and much less to run).
 */
export function prepared<R = unknown>(db: Db, sql: string): Database.Statement<unknown[], R> {
  let byText = statements.get(db);
  if (!byText) {
    byText = new Map();
    statements.set(db, byText);
  }
  let st = byText.get(sql);
  if (!st) {
    st = db.prepare(sql);
    byText.set(sql, st);
  }
  return st as Database.Statement<unknown[], R>;
}

/**
 * Opens (creating if needed) Cartage's database, in WAL mode, and brings its schema up to date in
 * one transaction. A database written by a newer Cartage is refused before anything is changed.
 * `nativeBinding` points at a better-sqlite3 build for another runtime (Electron's, under `npm start`).
 */
export function openDatabase(file: string, list: readonly Migration[] = migrations, nativeBinding?: string): Db {
  if (file !== ':memory:') {
    const dir = path.dirname(file);
    try {
      makeFolder(dir);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error';
      throw new CartageError('cannot_write', `Cannot make the data folder ${dir} (${code}); choose another with --data-dir or CARTAGE_DATA_DIR.`, { cause: err });
    }
  }
  let db: Db;
  try {
    db = new Database(file, nativeBinding ? { nativeBinding } : {});
    // Read before any write: refusing a newer database must leave it byte for byte as it was.
    const version = db.pragma('user_version', { simple: true }) as number;
    const latest = list.at(-1)?.version ?? 0;
    if (version > latest) {
      db.close();
      throw new CartageError(
        'database_too_new',
        `The database at ${file} was written by a newer version of Cartage (schema ${version}; this one knows up to ${latest}). ` +
          'Update Cartage, or point it at another data folder with --data-dir; the database was left untouched.',
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, list);
  } catch (err) {
    if (err instanceof CartageError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new CartageError(
        'database_corrupt',
        `The file ${file} is not a Cartage database, or it is damaged. Move it aside (Cartage will start a new queue) or choose another data folder with --data-dir.`,
        { cause: err },
      );
    }
    throw err;
  }
  return db;
}

/** Runs every migration newer than the database's `user_version`, all in one transaction. */
export function migrate(db: Db, list: readonly Migration[] = migrations): void {
  checkMigrationOrder(list);
  const run = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (const m of list) {
      if (m.version <= current) continue;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  run.immediate();
}

/** Migrations must be numbered 1, 2, 3... with no gap or repeat: a mistake here would corrupt data. */
export function checkMigrationOrder(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`Migration "${m.name}" has version ${m.version}; expected ${i + 1}.`);
    }
  });
}

export { latestVersion };
