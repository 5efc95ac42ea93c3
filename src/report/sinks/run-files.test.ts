import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { HOSTILE_MAINTAINER, HOSTILE_PKGNAME, HOSTILE_PKGPATH, HOSTILE_REASON, sampleRun } from '../../../test/support/sample-run.js';
import { RunFilesReporter } from './run-files.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-run-files-'));
const events = sampleRun();
// A host the check refused, and one it let in: report.json's hosts say both.
const hostsAt = events.findIndex((e) => e.type === 'host');
events.splice(hostsAt, 0,
  { type: 'host', at: 1, host: 'sparc1', state: 'down', reason: 'refused: it is x86_64, the hosts file says arch=sparc64', slots: 1, speed: 1 },
  { type: 'host', at: 1, host: 'arm1', state: 'up', checked: 'aarch64, Linux 6.18.44, node 20.19.0, 8 cores, 16384 MiB', slots: 2, speed: 1 });
const reporter = new RunFilesReporter(dir, { platform: 'Linux 6.18.44/x86_64' });
for (const e of events) reporter.emit(e);
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
after(() => { if (!process.env['KEEP']) rmSync(dir, { recursive: true, force: true }); });

interface Entry { [key: string]: unknown }

void describe('report.json', () => {
  const report = JSON.parse(read('report.json')) as { summary: Entry; hosts: Entry[]; packages: Entry[] };
  const byName = new Map(report.packages.map((p) => [p['pkgname'], p]));

  void test('has exactly the fields DESIGN.md names, for every package, with a known status', () => {
    assert.deepEqual(Object.keys(report).sort(), ['hosts', 'packages', 'summary']);
    assert.equal(report.packages.length, 38);
    for (const p of report.packages) {
      assert.deepEqual(Object.keys(p).sort(), ['allocation', 'blocked_by', 'breaks', 'duration_s', 'error', 'fetch_bytes', 'fetch_s', 'host', 'log', 'phase', 'pkgname', 'pkgpath', 'reason', 'status']);
      assert.ok(['done', 'failed', 'prefailed', 'indirect-failed', 'indirect-prefailed', 'up-to-date'].includes(p['status'] as string));
      assert.ok(Array.isArray(p['blocked_by']));
      assert.equal(typeof p['breaks'], 'number');
    }
    assert.deepEqual(report.summary, {
      run: '20261118.1053', tree: '/usr/pkgsrc', arch: 'aarch64', result: 'complete', started_at: '2026-11-18T11:06:40Z', ended_at: '2026-11-18T11:43:32Z',
      duration_s: 2212, total: 38, done: 23, failed: 5, prefailed: 2, indirect_failed: 4, indirect_prefailed: 2, up_to_date: 2, not_built: 0,
      fetched: 0, fetch_failed: 0, fetched_bytes: 0, fetch_s: 0,
    });
  });

  void test('hosts: each with its state, why it is not up (a refusal says so) and what its check found', () => {
    const byHost = new Map(report.hosts.map((h) => [h['name'], h]));
    assert.deepEqual(byHost.get('sparc1'), { name: 'sparc1', state: 'down', reason: 'refused: it is x86_64, the hosts file says arch=sparc64', checked: null, slots: 1 });
    assert.deepEqual(byHost.get('arm1'), { name: 'arm1', state: 'up', reason: null, checked: 'aarch64, Linux 6.18.44, node 20.19.0, 8 cores, 16384 MiB', slots: 2 });
    assert.deepEqual(byHost.get('builder2'), { name: 'builder2', state: 'down', reason: 'Connection reset by peer', checked: null, slots: 2 }, 'lost during the run');
  });

  void test('breaks and blocked_by name the root causes', () => {
    assert.deepEqual(byName.get('icu-75.1'), {
      pkgname: 'icu-75.1', pkgpath: 'textproc/icu', status: 'failed', breaks: 3, phase: 'build', error: 'compiler error', reason: null,
      blocked_by: [], duration_s: 92, host: 'builder2', allocation: null, log: 'packages/icu-75.1.log', fetch_s: null, fetch_bytes: null,
    });
    assert.deepEqual(byName.get('firefox-127.0')?.['blocked_by'], ['pixman-0.43.4', 'rust-1.79.0']);
    assert.equal(byName.get('firefox-127.0')?.['status'], 'indirect-prefailed');
    assert.deepEqual(byName.get('harfbuzz-8.5.0')?.['blocked_by'], ['icu-75.1']);
    assert.equal(byName.get('rust-1.79.0')?.['breaks'], 2);
    assert.equal(byName.get('rust-1.79.0')?.['reason'], 'PKG_FAIL_REASON: no bootstrap kit for this platform');
    assert.equal(byName.get('gmake-4.4.1')?.['status'], 'up-to-date');
    assert.equal(byName.get('gmake-4.4.1')?.['log'], null);
    // Every breaks count is the number of packages naming it in blocked_by.
    for (const p of report.packages) {
      const named = report.packages.filter((q) => (q['blocked_by'] as string[]).includes(p['pkgname'] as string)).length;
      assert.equal(p['breaks'], named, p['pkgname'] as string);
    }
  });
});

void describe('report.txt', () => {
  const text = read('report.txt');

  void test('pbulk\'s sections, in order', () => {
    const order = ['kiln bulk build report', 'Linux 6.18.44/x86_64', 'Build start: ', 'Build end:   ', 'Total number of packages:',
      'Packages breaking the most other packages', 'Build failures', 'Not built, with the reason', 'Failure details',
      'Depending on failed or masked packages'];
    let at = -1;
    for (const heading of order) {
      const found = text.indexOf(heading, at + 1);
      assert.ok(found > at, `${heading} after the one before`);
      at = found;
    }
    assert.match(text, /^Total number of packages: {9}38$/m);
    assert.match(text, /^ {2}Successfully built: {13}25$/m);
    assert.match(text, /^ {2}Failed to build: {17}5$/m);
    assert.match(text, /^ {2}Depending on failed package: {5}4$/m);
    assert.match(text, /^ {2}Explicitly broken or masked: {5}2$/m);
    assert.match(text, /^ {2}Depending on masked package: {5}2$/m);
  });

  void test('the most breaking failures first, with breaks and maintainer; every failure listed', () => {
    const top = text.slice(text.indexOf('Packages breaking the most'), text.indexOf('Build failures'));
    assert.deepEqual(top.split('\n').filter((l) => /^\w+\/\S+ +\d+ /.test(l)).map((l) => l.split(/ +/).slice(0, 2)), [
      ['textproc/icu', '3'], ['x11/pixman', '3'], ['lang/rust', '2'],
    ]);
    assert.match(top, /^textproc\/icu {31}3 adam@NetBSD\.org$/m);
    const failures = text.slice(text.indexOf('Build failures'), text.indexOf('Not built, with the reason'));
    for (const path of ['mail/mutt', 'sysutils/lockf', 'textproc/icu', 'x11/pixman']) assert.match(failures, new RegExp(`^${path} `, 'm'));
    assert.match(failures, /^sysutils\/lockf {31}pkgsrc-users@NetBSD\.org$/m);
    const details = text.slice(text.indexOf('Failure details'));
    assert.match(details, /textproc\/icu \(icu-75\.1\)\n {4}phase: build {4}error: compiler error {4}host: builder2\n {4}log: packages\/icu-75\.1\.log/);
    assert.match(details, /breaks 3: boost-libs-1\.85\.0 harfbuzz-8\.5\.0 libvisio-0\.1\.7/);
    assert.match(details, /^www\/firefox +pixman-0\.43\.4 rust-1\.79\.0$/m);
  });

  void test('hostile metadata stays on its line and is printed as it is', () => {
    assert.ok(text.includes(HOSTILE_PKGPATH));
    assert.ok(text.includes(HOSTILE_MAINTAINER));
    assert.ok(text.includes(HOSTILE_REASON));
    assert.ok(text.includes(HOSTILE_PKGNAME));
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f]/);
  });
});

void describe('build.log and engine.log', () => {
  void test('build.log: one line per job, dpb\'s fields, ! for failures, lost and why for the jobs lost with their host', () => {
    const lines = read('build.log').trimEnd().split('\n');
    const lost = lines.filter((l) => / lost "[^"]*"$/.test(l));
    assert.equal(lines.length, events.filter((e) => e.type === 'job-ended').length + lost.length);
    assert.deepEqual(lost, [
      'lang/python311 builder2 123.00 120000 (depends 13.00 extract 13.00 patch 5.00 configure 50.00 build 42.00) lost "host builder2 lost: Connection reset by peer"',
      'devel/git-base builder2 7.00 0 (depends 4.00 extract 3.00) lost "host builder2 lost: Connection reset by peer"',
    ]);
    for (const line of lines) assert.match(line, /^(\S+|"(?:[^"\\]|\\.)*") (localhost|builder2) \d+\.\d\d \d+ \((\S+ \d+\.\d\d ?)+\)( !| lost "[^"]*")?$/);
    assert.equal(lines.filter((l) => l.endsWith(' !')).length, 5);
    assert.ok(lines.includes('textproc/icu builder2 92.00 92000 (depends 5.00 extract 5.00 patch 2.00 configure 20.00 build 60.00) !'));
    assert.ok(lines.some((l) => /^lang\/python311 localhost 500\.00 500000 \(.*package 15\.00\)$/.test(l)), 'python311 rebuilt on localhost');
  });

  void test('engine.log: a timestamped line per state change, values quoted when they must be', () => {
    const lines = read('engine.log').trimEnd().split('\n');
    for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S/);
    assert.equal(lines.filter((l) => / (open|building|done|failed|prefailed|indirect-failed|indirect-prefailed|up-to-date)( |$)/.test(l) && !/ (start|end) job=/.test(l)).length,
      events.filter((e) => e.type === 'status').length);
    assert.ok(lines.includes('2026-11-18T11:14:20Z host builder2 down reason="Connection reset by peer"'));
    assert.ok(lines.some((l) => l.includes('firefox-127.0 indirect-prefailed blocked_by=rust-1.79.0,pixman-0.43.4')));
    assert.ok(lines.some((l) => l.startsWith('2026-11-18T11:07:02Z hostile-reason-1.0 prefailed reason="<img src=x onerror=alert(4)> $(rm -rf ~) `id`"')));
    assert.ok(lines.some((l) => l.includes(`${JSON.stringify(HOSTILE_PKGNAME)} failed`)));
  });
});

void describe('report.html', () => {
  void test('is self-contained and carries hostile metadata only as escaped JSON', () => {
    const html = read('report.html');
    assert.doesNotMatch(html, /<(link|img|iframe)\b/i);
    assert.doesNotMatch(html, /\bsrc=["']?https?:/i);
    assert.equal(html.match(/<script\b/g)?.length, 2, 'the data and the page\'s own script');
    assert.ok(!html.includes('<script>alert'));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes('\\u003cscript\\u003ealert'));
  });
});
