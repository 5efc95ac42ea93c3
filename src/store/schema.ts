// The tables of `<logdir>/kiln.db`. `user_version` holds SCHEMA_VERSION.
// A new store gets SCHEMA; an older one is brought up to date by
// MIGRATIONS, each the SQL that takes a store from its version to the next,
// so a run directory's history outlives kiln upgrades.

export const SCHEMA_VERSION = 3;

/** MIGRATIONS[v]: from schema v to v + 1. */
export const MIGRATIONS: Readonly<Record<number, string>> = {
  // 2: the history keeps the peak memory and the work directory's size (dpb's size.log) of each build.
  1: 'ALTER TABLE history ADD COLUMN memory_mib INTEGER; ALTER TABLE history ADD COLUMN disk_mib INTEGER;',
  // 3: the history keeps the architecture each job was built for (NULL: recorded before, not known).
  2: 'ALTER TABLE history ADD COLUMN arch TEXT;',
};

export const SCHEMA = `
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at REAL NOT NULL,
  finished_at REAL,
  result TEXT,
  args TEXT NOT NULL
);
-- Every run event, in order: what the live views showed, re-readable.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  run INTEGER NOT NULL,
  at REAL NOT NULL,
  type TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX events_run ON events (run, seq);
-- The latest status of each package of a run.
CREATE TABLE statuses (
  run INTEGER NOT NULL,
  pkgname TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  phase TEXT,
  error TEXT,
  blocked_by TEXT,
  job INTEGER,
  at REAL NOT NULL,
  PRIMARY KEY (run, pkgname)
);
-- Every job: started before it runs, ended when its result is in.
CREATE TABLE jobs (
  run INTEGER NOT NULL,
  id INTEGER NOT NULL,
  pkgname TEXT NOT NULL,
  pkgpath TEXT NOT NULL,
  host TEXT NOT NULL,
  slot INTEGER NOT NULL,
  make_jobs INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  started_at REAL NOT NULL,
  ended_at REAL,
  outcome TEXT,
  detail TEXT,
  log TEXT,
  PRIMARY KEY (run, id)
);
-- Build history, kept across runs: what the scheduler orders by.
CREATE TABLE history (
  pkgpath TEXT NOT NULL,
  pkgname TEXT NOT NULL,
  host TEXT NOT NULL,
  make_jobs INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  wall_s REAL NOT NULL,
  cpu_s REAL NOT NULL,
  phases TEXT NOT NULL,
  log_bytes INTEGER,
  at REAL NOT NULL,
  memory_mib INTEGER,
  disk_mib INTEGER,
  arch TEXT
);
CREATE INDEX history_pkgpath ON history (pkgpath, at);
CREATE TABLE kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
