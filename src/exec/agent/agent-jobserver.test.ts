import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { takeTokens } from '../../../test/support/token-pipe.js';
import type { BuildJob } from '../../job/build-job.js';
import { Jobserver, openJobPipe } from '../../sandbox/jobserver.js';
import { leftOutLine } from '../../core/job/log-cap.js';
import { appendNote, joinHostJobserver } from './agent-jobserver.js';

const job = (pkgname: string, priority: number, parallel = true): BuildJob => ({
  pkgname, pkgpath: `misc/${pkgname}`, tree: '/nonexistent', dependencies: [], makeJobs: 3, jobserver: { cores: 6, priority, parallel },
  timeoutS: 60, logDir: '/nonexistent', logFile: '/nonexistent/log', packageDir: '/nonexistent',
  metadata: { comment: '', categories: '', maintainer: '', homepage: '', license: '', runDepends: [], buildDepends: [], inputs: '' },
});

void test('two remote jobs on one host share its cores through the agent: each runner opens the pipe the agent made, at its share', async () => {
  const server = new Jobserver(6, 3_600_000);
  const dirs = [mkdtempSync(join(tmpdir(), 'kiln-agent-js-')), mkdtempSync(join(tmpdir(), 'kiln-agent-js-'))];
  try {
    const a = await joinHostJobserver(job('a', 1), dirs[0]!, server);
    const pipeA = a.job.jobserver?.pipe ?? assert.fail('a has a pipe');
    assert.equal(statSync(pipeA).mode & 0o777, 0o600, 'only the agent\'s user may open the fifo');
    // The runner's side: the builder opens the path it was given and unlinks it.
    const runnerA = openJobPipe(pipeA, 6) ?? assert.fail('runner a opens its pipe');
    assert.ok(!existsSync(pipeA), 'the build never sees a path');
    assert.equal(takeTokens(runnerA.fd), 5, 'alone on the host, a\'s make may run 6 jobs');
    const b = await joinHostJobserver(job('b', 9), dirs[1]!, server);
    const runnerB = openJobPipe(b.job.jobserver?.pipe ?? assert.fail('b has a pipe'), 6) ?? assert.fail('runner b opens its pipe');
    assert.equal(takeTokens(runnerB.fd), 0, 'a holds every token of the host: b runs on its make\'s own (a jobserver per runner gave it 5)');
    // Three of a's sub-jobs end: their tokens go to b, up to its share (3 make jobs); 6 in all, not 12.
    writeSync(runnerA.fd, Buffer.alloc(3, 0x2b));
    server.look();
    assert.equal(takeTokens(runnerB.fd), 2);
    assert.equal(takeTokens(runnerA.fd), 0);
    assert.deepEqual(server.holdings(), [3, 3]);
    // a's job ends: the agent leaves for it, and its cores go to b.
    assert.equal(a.leave(), "make jobserver: started with 3 make jobs of the host's 6, ran up to 6 at once");
    assert.equal(a.leave(), undefined, 'a job leaves once');
    runnerA.leave();
    assert.equal(takeTokens(runnerB.fd), 3, 'b gets the tokens a held');
    // A MAKE_JOBS_SAFE=no job counts its one core; its runner gets no jobserver to join.
    const serial = await joinHostJobserver(job('serial', 5, false), dirs[0]!, server);
    assert.equal(serial.job.jobserver, undefined);
    assert.deepEqual(server.holdings(), [6, 1]);
    serial.leave();
    b.leave();
    runnerB.leave();
  } finally {
    server.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
});

void test('a runner takes only a fifo of its own user that no one else may open, never through a link', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-agent-js-'));
  try {
    const fifo = join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', ['-m', '600', fifo]).status, 0);
    symlinkSync(fifo, join(dir, 'link'));
    writeFileSync(join(dir, 'file'), '', { mode: 0o600 });
    assert.equal(spawnSync('mkfifo', ['-m', '666', join(dir, 'open')]).status, 0);
    assert.equal(openJobPipe(join(dir, 'link'), 6), undefined, 'a link');
    assert.equal(openJobPipe(join(dir, 'file'), 6), undefined, 'a plain file');
    assert.equal(openJobPipe(join(dir, 'open'), 6), undefined, 'a fifo others may open');
    assert.equal(openJobPipe(join(dir, 'gone'), 6), undefined, 'nothing');
    const taken = openJobPipe(fifo, 6) ?? assert.fail('the fifo');
    taken.leave();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test("a remote job's jobserver line goes where a local build puts it: last, or just before the count --log-cap left out", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-agent-note-'));
  try {
    const plain = join(dir, 'plain.log');
    writeFileSync(plain, '===> kiln: build failed in 1.0 s: exit status 2\n');
    await appendNote(plain, 'make jobserver: started with 1 make jobs of the host\'s 6, ran up to 6 at once', 0);
    assert.equal(readFileSync(plain, 'utf8'), "===> kiln: build failed in 1.0 s: exit status 2\nkiln: make jobserver: started with 1 make jobs of the host's 6, ran up to 6 at once\n");
    const cut = join(dir, 'cut.log');
    writeFileSync(cut, `===> kiln: build failed in 1.0 s: exit status 2\n${leftOutLine(987_229)}`);
    const streamed = Buffer.byteLength(readFileSync(cut, 'utf8')) - leftOutLine(987_229).length; // the footer went, the count not yet
    await appendNote(cut, 'make jobserver: started with 1 make jobs of the host\'s 6, ran up to 2 at once', streamed);
    assert.deepEqual(readFileSync(cut, 'utf8').trimEnd().split('\n'), [
      '===> kiln: build failed in 1.0 s: exit status 2',
      "kiln: make jobserver: started with 1 make jobs of the host's 6, ran up to 2 at once",
      leftOutLine(987_229).trimEnd(),
    ]);
    // The count already went to the coordinator: what was sent is never rewritten, the line only follows it.
    const sent = join(dir, 'sent.log');
    writeFileSync(sent, leftOutLine(5));
    await appendNote(sent, 'make jobserver: x', statSync(sent).size);
    assert.equal(readFileSync(sent, 'utf8'), `${leftOutLine(5)}kiln: make jobserver: x\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
