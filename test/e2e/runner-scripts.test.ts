// The Portfile runner program itself, run by bash on the host (no sandbox):
// errexit, the phase function under another name, and its CPU report.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { parseRunnerReport, PORTFILE_PHASE } from '../../src/sandbox/runner-scripts.js';

void test('the Portfile runner runs the phase with errexit, names install(1) as the command inside install(), and reports real CPU time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-runner-'));
  try {
    writeFileSync(join(dir, 'Portfile'), [
      'PKGNAME=x-1',
      'build() { i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo spun; }',
      'install() { install -d "$DESTDIR/made"; false; echo never; }',
    ].join('\n'));
    const run = (phase: string): { out: string; report: ReturnType<typeof parseRunnerReport> } => {
      const reportFd = openSync(join(dir, 'report'), 'w');
      const result = spawnSync('bash', ['-c', PORTFILE_PHASE, 'kiln-test', join(dir, 'Portfile'), phase], {
        env: { WRKSRC: dir, DESTDIR: dir, PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe', reportFd], encoding: 'utf8',
      });
      closeSync(reportFd);
      return { out: result.stdout, report: parseRunnerReport(readFileSync(join(dir, 'report'), 'utf8')) };
    };
    const build = run('build');
    assert.equal(build.out, 'spun\n');
    assert.equal(build.report.status, 0);
    assert.ok((build.report.cpuS ?? 0) > 0.05, `cpu ${build.report.cpuS}`);
    const install = run('install');
    assert.equal(install.out, '');
    assert.equal(install.report.status, 1);
    assert.ok(spawnSync('test', ['-d', join(dir, 'made')]).status === 0, 'install -d ran as the command');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
