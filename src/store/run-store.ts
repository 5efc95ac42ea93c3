// The run directory's durable store: SQLite (WAL) in `<logdir>/kiln.db`.
// Every state change is written here before it is acted on; a restarted
// coordinator reads back where it stopped, and `kiln status`/`kiln serve`
// read the same events a live build shows.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import type { EngineCommand, Job } from '../core/engine/engine-events.js';
import type { JobOutcome, PkgName, Status } from '../core/model.js';
import type { RunEvent } from '../core/run-events.js';
import { unreachable } from '../core/unreachable.js';
import { MIGRATIONS, SCHEMA, SCHEMA_VERSION } from './schema.js';

export interface RunRecord {
  readonly id: number;
  readonly startedAt: number;
  readonly finishedAt: number | undefined;
  readonly result: string | undefined;
  /** The command line that started it, to resume with the same arguments. */
  readonly args: string;
}

export interface StatusRecord {
  readonly pkgname: PkgName;
  readonly status: Status;
  readonly reason: string | undefined;
  readonly phase: string | undefined;
  readonly error: string | undefined;
  readonly blockedBy: readonly PkgName[];
  readonly job: number | undefined;
  readonly at: number;
}

export interface JobRecord extends Job {
  readonly endedAt: number | undefined;
  readonly outcome: JobOutcome['kind'] | undefined;
  readonly log: string | undefined;
}

/** A store that cannot be opened or written: what and where, for the operator. */
export class StoreError extends Error {}

export class RunStore {
  private readonly db: Database.Database;
  readonly path: string;

  private constructor(db: Database.Database, path: string) {
    this.db = db;
    this.path = path;
  }

  static open(logdir: string): RunStore {
    const path = join(logdir, 'kiln.db');
    let db: Database.Database;
    try {
      mkdirSync(logdir, { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
    } catch (err) {
      throw new StoreError(`cannot open the run store ${path}: ${(err as Error).message}`);
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0) {
      // One transaction: a kill between the tables and the version must not leave tables a next start would make again.
      db.transaction(() => {
        db.exec(SCHEMA);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
    } else if (version < SCHEMA_VERSION && MIGRATIONS[version] !== undefined) {
      // Every step and the version in one transaction: a kill halfway leaves the store as it was.
      db.transaction(() => {
        for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
    } else if (version !== SCHEMA_VERSION) {
      db.close();
      throw new StoreError(`${path} was written by another kiln version (schema ${version}, this kiln reads ${SCHEMA_VERSION}); use a new --logdir`);
    }
    return new RunStore(db, path);
  }

  /** Opens an existing store read-only, for `kiln status` and `kiln serve`. */
  static openReadOnly(logdir: string): RunStore {
    const path = join(logdir, 'kiln.db');
    try {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get() === undefined) {
        db.close();
        throw new Error('its store is still being made: the run is starting');
      }
      return new RunStore(db, path);
    } catch (err) {
      throw new StoreError(`no kiln run in ${logdir} (${(err as Error).message})`);
    }
  }

  close(): void {
    this.db.close();
  }

  // ---- runs ------------------------------------------------------------

  latestRun(): RunRecord | undefined {
    const row = this.db.prepare('SELECT id, started_at, finished_at, result, args FROM runs ORDER BY id DESC LIMIT 1').get() as RunRow | undefined;
    return row && toRun(row);
  }

  /** Every run of the run directory, oldest first. */
  runs(): RunRecord[] {
    return (this.db.prepare('SELECT id, started_at, finished_at, result, args FROM runs ORDER BY id').all() as RunRow[]).map(toRun);
  }

  beginRun(at: number, args: string): RunRecord {
    const info = this.transaction(() => this.db.prepare('INSERT INTO runs (started_at, args) VALUES (?, ?)').run(at, args));
    return { id: Number(info.lastInsertRowid), startedAt: at, finishedAt: undefined, result: undefined, args };
  }

  finishRun(run: number, at: number, result: string): void {
    this.transaction(() => this.db.prepare('UPDATE runs SET finished_at = ?, result = ? WHERE id = ?').run(at, result, run));
  }

  // ---- one step: the engine's commands and the run events they make ----

  /** Writes one engine step in one transaction, before the runtime acts on it. */
  record(run: number, commands: readonly EngineCommand[], events: readonly RunEvent[]): void {
    this.transaction(() => {
      for (const command of commands) this.recordCommand(run, command);
      for (const event of events) this.insertEvent.run(run, eventTime(event), event.type, JSON.stringify(event));
    });
  }

  appendEvents(run: number, events: readonly RunEvent[]): void {
    if (events.length === 0) return;
    this.transaction(() => {
      for (const event of events) this.insertEvent.run(run, eventTime(event), event.type, JSON.stringify(event));
    });
  }

  /** A job's end, with the event that tells it (written together). */
  jobEnded(run: number, job: number, at: number, outcome: JobOutcome, log: string, event: RunEvent): void {
    this.transaction(() => {
      this.db.prepare('UPDATE jobs SET ended_at = ?, outcome = ?, detail = ?, log = ? WHERE run = ? AND id = ?')
        .run(at, outcome.kind, JSON.stringify(outcome), log, run, job);
      this.insertEvent.run(run, eventTime(event), event.type, JSON.stringify(event));
    });
  }

  // ---- reading back ----------------------------------------------------

  statuses(run: number): Map<PkgName, StatusRecord> {
    const rows = this.db.prepare('SELECT pkgname, status, reason, phase, error, blocked_by, job, at FROM statuses WHERE run = ?').all(run) as StatusRow[];
    return new Map(rows.map((r) => [r.pkgname, {
      pkgname: r.pkgname, status: r.status, reason: r.reason ?? undefined, phase: r.phase ?? undefined, error: r.error ?? undefined,
      blockedBy: r.blocked_by ? (JSON.parse(r.blocked_by) as string[]) : [], job: r.job ?? undefined, at: r.at,
    }]));
  }

  jobs(run: number): JobRecord[] {
    const rows = this.db.prepare('SELECT * FROM jobs WHERE run = ? ORDER BY id').all(run) as JobRow[];
    return rows.map((r) => ({
      id: r.id, pkgname: r.pkgname, pkgpath: r.pkgpath, host: r.host, slot: r.slot, makeJobs: r.make_jobs,
      attempt: r.attempt, startedAt: r.started_at, endedAt: r.ended_at ?? undefined,
      outcome: (r.outcome ?? undefined) as JobOutcome['kind'] | undefined, log: r.log ?? undefined,
    }));
  }

  maxJobId(run: number): number {
    const row = this.db.prepare('SELECT max(id) AS id FROM jobs WHERE run = ?').get(run) as { id: number | null };
    return row.id ?? 0;
  }

  /** Events after `afterSeq`, oldest first; of one run, or of the latest run. */
  readEvents(afterSeq: number, run?: number, limit = 10000): { seq: number; event: RunEvent }[] {
    const runId = run ?? this.latestRun()?.id;
    if (runId === undefined) return [];
    const rows = this.db.prepare('SELECT seq, json FROM events WHERE run = ? AND seq > ? ORDER BY seq LIMIT ?').all(runId, afterSeq, limit) as { seq: number; json: string }[];
    return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.json) as RunEvent }));
  }

  /** Every event of every run, oldest first, read a page at a time. */
  *allEvents(): Generator<{ run: number; event: RunEvent }> {
    const page = this.statement('SELECT seq, run, json FROM events WHERE seq > ? ORDER BY seq LIMIT 10000');
    for (let after = 0; ;) {
      const rows = page.all(after) as { seq: number; run: number; json: string }[];
      if (rows.length === 0) return;
      for (const r of rows) yield { run: r.run, event: JSON.parse(r.json) as RunEvent };
      after = rows.at(-1)!.seq;
    }
  }

  /** The packages of `pkgpath` among a run's (its `resolved` events), each with the pkgnames it needs built first. */
  packagesAt(run: number, pkgpath: string): { pkgname: PkgName; depends: PkgName[] }[] {
    const rows = this.db.prepare(`SELECT json_extract(e.value, '$.pkgname') AS pkgname, json_extract(e.value, '$.depends') AS depends
      FROM events, json_each(events.json, '$.entries') AS e
      WHERE events.run = ? AND events.type = 'resolved' AND json_extract(e.value, '$.pkgpath') = ? ORDER BY events.seq`).all(run, pkgpath) as { pkgname: string; depends: string | null }[];
    const found = new Map<PkgName, PkgName[]>();
    for (const r of rows) found.set(r.pkgname, JSON.parse(r.depends ?? '[]') as PkgName[]);
    return [...found].map(([pkgname, depends]) => ({ pkgname, depends }));
  }

  // ---- key/value state of the run directory (scan cache, settings) -----

  get(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  put(key: string, value: string): void {
    this.transaction(() => this.statement('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value));
  }

  /** Runs `fn` in one transaction (used by the history and the scan cache too). */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
        throw new StoreError(`cannot write the run store ${this.path}: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  /** The underlying database, for the history and scan cache of this store. */
  get database(): Database.Database {
    return this.db;
  }

  private get insertEvent(): Database.Statement {
    return this.statement('INSERT INTO events (run, at, type, json) VALUES (?, ?, ?, ?)');
  }

  private readonly statements = new Map<string, Database.Statement>();
  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private recordCommand(run: number, command: EngineCommand): void {
    switch (command.type) {
      case 'status':
        this.statement(`INSERT INTO statuses (run, pkgname, status, reason, phase, error, blocked_by, job, at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT(run, pkgname) DO UPDATE SET status = excluded.status, reason = excluded.reason, phase = excluded.phase,
            error = excluded.error, blocked_by = excluded.blocked_by, job = coalesce(excluded.job, statuses.job), at = excluded.at`)
          .run(run, command.pkgname, command.status, command.reason ?? null, command.phase ?? null, command.error ?? null,
            command.blockedBy ? JSON.stringify(command.blockedBy) : null, command.job ?? null, command.at);
        break;
      case 'start': {
        const j = command.job;
        this.statement('INSERT INTO jobs (run, id, pkgname, pkgpath, host, slot, make_jobs, attempt, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(run, j.id, j.pkgname, j.pkgpath, j.host, j.slot, j.makeJobs, j.attempt, j.startedAt);
        break;
      }
      case 'requeue':
        this.statement('UPDATE jobs SET ended_at = ?, outcome = ?, detail = ? WHERE run = ? AND id = ? AND ended_at IS NULL')
          .run(command.at, 'requeued', JSON.stringify({ reason: command.reason }), run, command.job.id);
        break;
      case 'host':
      case 'space':
      case 'finished':
        break; // carried by the run events
      case 'check':
        break; // its answer is a status change
      default:
        unreachable(command);
    }
  }
}

interface RunRow { id: number; started_at: number; finished_at: number | null; result: string | null; args: string }
interface StatusRow { pkgname: string; status: Status; reason: string | null; phase: string | null; error: string | null; blocked_by: string | null; job: number | null; at: number }
interface JobRow {
  id: number; pkgname: string; pkgpath: string; host: string; slot: number; make_jobs: number; attempt: number;
  started_at: number; ended_at: number | null; outcome: string | null; log: string | null;
}

function toRun(row: RunRow): RunRecord {
  return { id: row.id, startedAt: row.started_at, finishedAt: row.finished_at ?? undefined, result: row.result ?? undefined, args: row.args };
}

function eventTime(event: RunEvent): number {
  return event.type === 'status' ? event.change.at : event.at;
}
