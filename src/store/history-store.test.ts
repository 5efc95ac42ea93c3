// The history kept in kiln.db: a run directory made by an older kiln
// (schema 1, before memory and disk were kept; schema 2, before the
// architecture was) is brought up to date in place, its records kept, and
// records what it lacked from then on.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';

import Database from 'better-sqlite3';

import { HistoryStore } from './history-store.js';
import { RunStore } from './run-store.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';

const record = { pkgpath: 'devel/gmake', pkgname: 'gmake-4.4', host: 'h', makeJobs: 2, outcome: 'built', wallS: 60, cpuS: 100, phases: [], logBytes: 10 } as const;

/** A run directory as an older kiln left it: its schema without `columns`, at `version`, holding one record (`insert`'s values). */
function oldStore(t: TestContext, version: number, columns: string, insert: string): string {
  const logdir = mkdtempSync(join(tmpdir(), 'kiln-history-'));
  t.after(() => rmSync(logdir, { recursive: true, force: true }));
  const old = new Database(join(logdir, 'kiln.db'));
  old.exec(SCHEMA.replace(columns, ''));
  old.pragma(`user_version = ${version}`);
  old.exec(`INSERT INTO history ${insert}`);
  old.close();
  return logdir;
}

void test('a schema-1 store is migrated in place: old records kept, memory and disk kept from then on', (t) => {
  const logdir = oldStore(t, 1, ',\n  memory_mib INTEGER,\n  disk_mib INTEGER,\n  arch TEXT',
    "(pkgpath, pkgname, host, make_jobs, outcome, wall_s, cpu_s, phases, log_bytes, at) VALUES ('a/b', 'b-1', 'h', 1, 'built', 5, 5, '[]', NULL, 1)");
  const store = RunStore.open(logdir);
  const history = new HistoryStore(store);
  history.add([{ ...record, memoryMiB: 300, diskMiB: 1234, at: 2 }, { ...record, pkgname: 'gmake-4.5', at: 3 }]);
  assert.deepEqual(history.records().map((r) => [r.pkgname, r.memoryMiB, r.diskMiB]), [['b-1', undefined, undefined], ['gmake-4.4', 300, 1234], ['gmake-4.5', undefined, undefined]]);
  assert.equal(store.database.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  store.close();
  assert.equal(new HistoryStore(RunStore.open(logdir)).count(), 3, 'opened again: nothing migrated twice');
});

void test('a schema-2 store is migrated in place: old records keep no arch, new ones keep the one they were built for', (t) => {
  const logdir = oldStore(t, 2, ',\n  arch TEXT',
    "(pkgpath, pkgname, host, make_jobs, outcome, wall_s, cpu_s, phases, log_bytes, at, memory_mib) VALUES ('a/b', 'b-1', 'h', 1, 'built', 5, 5, '[]', NULL, 1, 40)");
  const store = RunStore.open(logdir);
  const history = new HistoryStore(store);
  history.add([{ ...record, arch: 'aarch64', at: 2 }, { ...record, arch: 'x86_64', at: 3 }]);
  assert.deepEqual(history.records().map((r) => [r.pkgname, r.memoryMiB, r.arch]), [['b-1', 40, undefined], ['gmake-4.4', undefined, 'aarch64'], ['gmake-4.4', undefined, 'x86_64']]);
  assert.equal(store.database.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  store.close();
});
