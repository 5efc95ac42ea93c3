import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { sampleRun } from '../../test/support/sample-run.js';
import { commandIO } from '../../test/support/command-io.js';
import { operatorReporters } from './operator-wiring.js';

void test('kiln build\'s reporters: one sink feeds the run files, the terminal, hooks and the page', async () => {
  const logdir = mkdtempSync(join(tmpdir(), 'kiln-wiring-'));
  try {
    const written: string[] = [];
    const io = commandIO(logdir, written, { PATH: process.env['PATH'] });
    const reporters = await operatorReporters({ web: '127.0.0.1:0', 'hook-end': `/bin/sh -c true` }, io, logdir);
    assert.match(reporters.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const events = sampleRun();
    for (const e of events) reporters.sink.emit(e);
    const page = await fetch(`${reporters.url ?? ''}api/view`);
    assert.equal(((await page.json()) as { result: string }).result, 'complete');
    await reporters.close(0);
    for (const file of ['report.json', 'report.txt', 'report.html', 'build.log', 'engine.log', 'hooks.log']) assert.ok(existsSync(join(logdir, file)), file);
    assert.match(written.join(''), /run complete\nbuilt \d+ .* total \d+\nreport: \S+\/report\.txt, \S+\/report\.html\n$/);
    assert.match(readFileSync(join(logdir, 'hooks.log'), 'utf8'), /run-end: exit status 0/);
  } finally {
    rmSync(logdir, { recursive: true, force: true });
  }
});
