import type { Database } from 'better-sqlite3';

/** One schema step. Versions start at 1 and increase by one; a test checks the list. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'tasks and settings',
    up(db) {
      db.exec(`
        CREATE TABLE tasks (
          id                INTEGER PRIMARY KEY,
          source_ref        TEXT    NOT NULL,
          url               TEXT    NOT NULL,
          name              TEXT    NOT NULL,
          dir               TEXT    NOT NULL,
          final_path        TEXT    NOT NULL,
          temp_path         TEXT    NOT NULL,
          grp               TEXT    NOT NULL CHECK (grp IN ('image', 'video', 'livephoto', 'other')),
          host              TEXT    NOT NULL,
          state             TEXT    NOT NULL CHECK (state IN ('queued', 'active', 'paused', 'completed', 'failed', 'canceled', 'skipped')),
          bytes_on_disk     INTEGER NOT NULL DEFAULT 0,
          total_bytes       INTEGER,
          expected_bytes    INTEGER,
          etag              TEXT,
          last_modified     TEXT,
          content_type      TEXT,
          checksum_algo     TEXT    CHECK (checksum_algo IN ('sha1-base64', 'sha256-hex')),
          checksum          TEXT,
          attempts          INTEGER NOT NULL DEFAULT 0,
          checksum_failures INTEGER NOT NULL DEFAULT 0,
          next_attempt_at   INTEGER NOT NULL DEFAULT 0,
          error_code        TEXT,
          error_message     TEXT,
          created_at        INTEGER NOT NULL,
          updated_at        INTEGER NOT NULL,
          completed_at      INTEGER
        );
        CREATE INDEX tasks_by_state ON tasks (state, id);
        CREATE INDEX tasks_by_final_path ON tasks (final_path);
        -- Only tasks waiting out a backoff: new tasks (next_attempt_at 0) stay out, so queueing
        -- 100,000 of them does not pay for this index.
        CREATE INDEX tasks_waiting ON tasks (next_attempt_at) WHERE state = 'queued' AND next_attempt_at > 0;
        CREATE TABLE settings (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    name: 'sources',
    up(db) {
      // Connections people added. No secret here: API keys and passwords are in the secret store,
      // under keys made from the id; a shared link's key too (it opens the link to anyone).
      db.exec(`
        CREATE TABLE sources (
          id               INTEGER PRIMARY KEY,
          name             TEXT    NOT NULL UNIQUE COLLATE NOCASE,
          kind             TEXT    NOT NULL CHECK (kind IN ('immich', 'http-index', 'webdav')),
          url              TEXT    NOT NULL,
          api_url          TEXT,
          username         TEXT,
          auth             TEXT    NOT NULL CHECK (auth IN ('none', 'api-key', 'password', 'share-key', 'share-slug')),
          cert_pem         TEXT,
          cert_fingerprint TEXT,
          created_at       INTEGER NOT NULL
        );
      `);
    },
  },
];

/** The schema version this build of Cartage writes. */
export const latestVersion = migrations.at(-1)?.version ?? 0;
