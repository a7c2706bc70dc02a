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
  {
    version: 3,
    name: 'download list and deliveries',
    up(db) {
      db.exec(`
        -- The download list (cart): what a person collected, with what the source said of it.
        -- source_key is 'source:ID' for a stored source, 'url' for a plain link; remote_id is the
        -- file's id there (an asset id, a URL). No secret: download headers are built at request time.
        CREATE TABLE cart_items (
          id            INTEGER PRIMARY KEY,
          source_key    TEXT    NOT NULL,
          remote_id     TEXT    NOT NULL,
          url           TEXT    NOT NULL,
          name          TEXT    NOT NULL,
          folder        TEXT    NOT NULL,
          href          TEXT    NOT NULL,
          size          INTEGER,
          taken_at      INTEGER,
          content_type  TEXT,
          grp           TEXT    NOT NULL,
          checksum_algo TEXT,
          checksum      TEXT,
          restriction   TEXT,
          reason        TEXT,
          -- A live photo's motion video: {id, url, name, size, checksum} as JSON, or NULL.
          motion        TEXT,
          added_at      INTEGER NOT NULL,
          UNIQUE (source_key, remote_id)
        );
        -- One row while a checkout holds the list: edits are refused until it is released.
        CREATE TABLE cart_lock (
          id        INTEGER PRIMARY KEY CHECK (id = 1),
          pid       INTEGER NOT NULL,
          since     INTEGER NOT NULL
        );
        CREATE TABLE deliveries (
          id           INTEGER PRIMARY KEY,
          name         TEXT    NOT NULL,
          kind         TEXT    NOT NULL CHECK (kind IN ('files', 'zip')),
          dir          TEXT    NOT NULL,
          layout       TEXT    NOT NULL CHECK (layout IN ('flat', 'folders', 'date')),
          state        TEXT    NOT NULL CHECK (state IN ('running', 'assembling', 'completed', 'canceled', 'failed')),
          -- Why a delivery failed (its zip could not be written): the person's to read, and to retry.
          error        TEXT,
          -- For a zip: where it is being written, where its files wait, and where it landed.
          zip_path     TEXT,
          staging_dir  TEXT,
          files        INTEGER NOT NULL,
          bytes        INTEGER NOT NULL,
          created_at   INTEGER NOT NULL,
          completed_at INTEGER
        );
        -- A delivered file: its task (and a live photo's second task), and its place in the layout.
        CREATE TABLE delivery_items (
          id            INTEGER PRIMARY KEY,
          delivery_id   INTEGER NOT NULL REFERENCES deliveries (id),
          task_id       INTEGER NOT NULL,
          motion_task_id INTEGER,
          entry_name    TEXT    NOT NULL,
          motion_entry  TEXT,
          zipped        INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX delivery_items_by_delivery ON delivery_items (delivery_id);
        -- What a zip has still to take: each check reads only these, not the whole delivery.
        CREATE INDEX delivery_items_unzipped ON delivery_items (delivery_id) WHERE zipped = 0;
        CREATE INDEX delivery_items_by_task ON delivery_items (task_id);
        CREATE INDEX delivery_items_by_motion_task ON delivery_items (motion_task_id) WHERE motion_task_id IS NOT NULL;
      `);
    },
  },
  {
    version: 4,
    name: 'mirrors',
    up(db) {
      db.exec(`
        -- A task may carry its own conflict policy (a mirror never overwrites what it did not write).
        ALTER TABLE tasks ADD COLUMN conflict TEXT CHECK (conflict IN ('rename', 'overwrite', 'skip'));
        CREATE TABLE mirrors (
          id              INTEGER PRIMARY KEY,
          source_id       INTEGER NOT NULL REFERENCES sources (id),
          -- 'path': a folder (recursive or not); 'query': an Immich search ('' is the whole library).
          scope_kind      TEXT    NOT NULL CHECK (scope_kind IN ('path', 'query')),
          scope           TEXT    NOT NULL,
          recursive       INTEGER NOT NULL DEFAULT 0,
          dir             TEXT    NOT NULL,
          layout          TEXT    NOT NULL CHECK (layout IN ('folders', 'date')),
          every_ms        INTEGER,
          sidecars        INTEGER NOT NULL DEFAULT 0,
          apply_deletions INTEGER NOT NULL DEFAULT 0,
          created_at      INTEGER NOT NULL
        );
        -- What a mirror wrote: recognised next time by remote id plus checksum, or size and validators.
        CREATE TABLE mirror_files (
          mirror_id     INTEGER NOT NULL REFERENCES mirrors (id),
          remote_id     TEXT    NOT NULL,
          rel_path      TEXT    NOT NULL,
          size          INTEGER,
          checksum      TEXT,
          etag          TEXT,
          modified      INTEGER,
          last_seen_run INTEGER NOT NULL,
          PRIMARY KEY (mirror_id, remote_id)
        ) WITHOUT ROWID;
        CREATE INDEX mirror_files_by_seen ON mirror_files (mirror_id, last_seen_run);
        CREATE TABLE mirror_runs (
          id          INTEGER PRIMARY KEY,
          mirror_id   INTEGER NOT NULL REFERENCES mirrors (id),
          state       TEXT    NOT NULL CHECK (state IN ('enumerating', 'downloading', 'completed', 'interrupted', 'failed')),
          started_at  INTEGER NOT NULL,
          ended_at    INTEGER,
          new_files   INTEGER NOT NULL DEFAULT 0,
          changed     INTEGER NOT NULL DEFAULT 0,
          unchanged   INTEGER NOT NULL DEFAULT 0,
          failed      INTEGER NOT NULL DEFAULT 0,
          deleted     INTEGER NOT NULL DEFAULT 0,
          bytes       INTEGER NOT NULL DEFAULT 0,
          -- JSON: [{name, reason}] for failures, [{path, action}] for deletions on the source.
          failures    TEXT    NOT NULL DEFAULT '[]',
          deletions   TEXT    NOT NULL DEFAULT '[]',
          error       TEXT
        );
        CREATE INDEX mirror_runs_by_mirror ON mirror_runs (mirror_id, id);
        -- The downloads a run queued, and what to record when each completes.
        CREATE TABLE mirror_run_tasks (
          task_id   INTEGER PRIMARY KEY,
          run_id    INTEGER NOT NULL REFERENCES mirror_runs (id),
          remote_id TEXT    NOT NULL,
          kind      TEXT    NOT NULL CHECK (kind IN ('new', 'changed')),
          size      INTEGER,
          checksum  TEXT,
          etag      TEXT,
          modified  INTEGER,
          sidecar   TEXT,
          processed INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX mirror_run_tasks_by_run ON mirror_run_tasks (run_id, processed);
        CREATE INDEX mirror_run_tasks_by_remote ON mirror_run_tasks (remote_id);
      `);
    },
  },
  {
    version: 5,
    name: 'sealed tasks, items that can go back on the list',
    up(db) {
      db.exec(`
        -- The list entry a delivered file came from, as it was (JSON of its cart_items row): a file
        -- that did not arrive can be put back on the list as it was.
        ALTER TABLE delivery_items ADD COLUMN cart_item TEXT;
        -- The zip a task's file was for is written (or was canceled): the task can no longer be
        -- retried, or its file would land in a staging folder that is gone.
        ALTER TABLE tasks ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
        -- Zips written or canceled before this version: their files are sealed now.
        UPDATE tasks SET sealed = 1 WHERE id IN (
          SELECT di.task_id FROM delivery_items di JOIN deliveries d ON d.id = di.delivery_id
          WHERE d.kind = 'zip' AND d.state IN ('completed', 'canceled')
          UNION
          SELECT di.motion_task_id FROM delivery_items di JOIN deliveries d ON d.id = di.delivery_id
          WHERE d.kind = 'zip' AND d.state IN ('completed', 'canceled') AND di.motion_task_id IS NOT NULL);
      `);
    },
  },
  {
    version: 6,
    name: 'placing intents',
    up(db) {
      db.exec(`
        -- Where a verified part file is being placed (linked, then its own name removed), written
        -- before the link and cleared with the completion: after a crash, the row and the disk
        -- together tell whether the file at that path is this download's.
        ALTER TABLE tasks ADD COLUMN placing TEXT;
        CREATE INDEX tasks_placing ON tasks (id) WHERE placing IS NOT NULL;
        -- The same for a zip: the path its finished temp file is being placed at, and its size.
        ALTER TABLE deliveries ADD COLUMN placing TEXT;
        ALTER TABLE deliveries ADD COLUMN placing_bytes INTEGER;
      `);
    },
  },
  {
    version: 7,
    name: 'the server version a source reported',
    up(db) {
      // An Immich server's version ('3.2.2'), read when the source is added and again when a call
      // fails: it decides how searches are asked (flat fields and pages, or a filter and a cursor).
      db.exec('ALTER TABLE sources ADD COLUMN server_version TEXT;');
    },
  },
  {
    version: 8,
    name: 'Synapse sources, MD5 checksums',
    up(db) {
      // Both checks only grow: every row already meets the new one, so SQLite's documented way for
      // such changes applies (ALTER TABLE, "making other kinds of table schema changes"): the stored
      // CREATE TABLE text is edited in place. A rebuild would need the foreign keys off, which cannot
      // be done inside the migration's transaction (mirrors point at sources).
      widenCheck(db, 'sources', "kind IN ('immich', 'http-index', 'webdav')", "kind IN ('immich', 'http-index', 'webdav', 'synapse')");
      widenCheck(db, 'tasks', "checksum_algo IN ('sha1-base64', 'sha256-hex')", "checksum_algo IN ('sha1-base64', 'sha256-hex', 'md5-hex')");
    },
  },
  {
    version: 9,
    name: "a web folder's kind is 'web'",
    up(db) {
      // A web server's folder listing was stored as 'http-index' while the window, the CLI and the
      // contract called it 'web': one word now. The check takes both words while the rows change,
      // then only the new one; each time every row meets it, so the stored text is edited as in v8.
      const both = "kind IN ('immich', 'http-index', 'web', 'webdav', 'synapse')";
      widenCheck(db, 'sources', "kind IN ('immich', 'http-index', 'webdav', 'synapse')", both);
      db.exec("UPDATE sources SET kind = 'web' WHERE kind = 'http-index'");
      narrowCheck(db, 'sources', both, "kind IN ('immich', 'web', 'webdav', 'synapse')");
    },
  },
  {
    version: 10,
    name: 'segments of a download',
    up(db) {
      db.exec(`
        -- A file fetched over several connections at once: each segment's bytes [start_byte, end_byte)
        -- are written at their place in the one part file, and those up to written_to are on disk
        -- (fsync'd before the row was written). A resume continues every segment from its own byte.
        CREATE TABLE task_segments (
          task_id    INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
          start_byte INTEGER NOT NULL,
          end_byte   INTEGER NOT NULL,
          written_to INTEGER NOT NULL,
          PRIMARY KEY (task_id, start_byte)
        ) WITHOUT ROWID;
        -- Downloads whose server answered a segment wrongly: they go on over one connection.
        CREATE TABLE one_connection_tasks (
          task_id INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE
        );
      `);
    },
  },
];

/** Replaces one CHECK text in a table's stored definition by a wider one (that every row already meets). */
function widenCheck(db: Database, table: string, from: string, to: string): void {
  replaceCheck(db, table, from, to);
}

/** Replaces one CHECK text by a narrower one, after making sure that every row meets it. */
function narrowCheck(db: Database, table: string, from: string, to: string): void {
  const outside = db.prepare(`SELECT count(*) FROM ${table} WHERE NOT (${to})`).pluck().get() as number;
  if (outside > 0) throw new Error(`${outside} rows of ${table} do not meet the check "${to}" this migration narrows to.`);
  replaceCheck(db, table, from, to);
}

function replaceCheck(db: Database, table: string, from: string, to: string): void {
  const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(table) as string;
  if (!sql.includes(from)) throw new Error(`The table ${table} lacks the check "${from}" this migration changes.`);
  const version = db.pragma('schema_version', { simple: true }) as number;
  db.unsafeMode(true);
  try {
    db.pragma('writable_schema = ON');
    db.prepare("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?").run(sql.replace(from, to), table);
    // A new schema version makes every connection read the edited definition.
    db.pragma(`schema_version = ${version + 1}`);
    db.pragma('writable_schema = OFF');
  } finally {
    db.unsafeMode(false);
  }
}

/** The schema version this build of Cartage writes. */
export const latestVersion = migrations.at(-1)?.version ?? 0;
