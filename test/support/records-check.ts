// What a run directory's line records must be after any number of kills
// and resumes: engine.log holds exactly the lines of the store's events, in
// order, each once; build.log one line per job the store says ended (built
// or failed), each once; and no process printed a job's end twice.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { engineLogLine } from '../../src/report/sinks/log-lines.js';
import { RunStore } from '../../src/store/run-store.js';

export function assertRecordsOnce(logdir: string, outputs: readonly string[], what: string): void {
  const store = RunStore.openReadOnly(logdir);
  try {
    const events = [...store.allEvents()];
    const engineLog = readFileSync(join(logdir, 'engine.log'), 'utf8').split('\n').filter((l) => l !== '');
    assert.deepEqual(engineLog, events.flatMap(({ event }) => engineLogLine(event) ?? []), `${what}: engine.log is the store's events, each once`);

    const runs = [...new Set(events.map((e) => e.run))];
    const ended = runs.flatMap((run) => store.jobs(run)).filter((j) => j.outcome === 'built' || j.outcome === 'failed')
      .map((j) => `${j.pkgpath} ${j.host}${j.outcome === 'failed' ? ' !' : ''}`).sort();
    const lines = readFileSync(join(logdir, 'build.log'), 'utf8').split('\n').filter((l) => l !== '' && !/ lost /.test(l))
      .map((l) => { const f = l.split(' '); return `${f[0]} ${f[1]}${l.endsWith(' !') ? ' !' : ''}`; }).sort();
    assert.deepEqual(lines, ended, `${what}: build.log has one line per job the store says ended`);

    const printed = outputs.join('\n').split('\n').filter((l) => / (built|FAILED) \S+ \S+ on /.test(l)).length;
    assert.ok(printed <= ended.length, `${what}: ${printed} job ends printed for ${ended.length} jobs: none printed again`);
  } finally {
    store.close();
  }
}
