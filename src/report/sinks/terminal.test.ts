import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { RUN_START, sampleRun, sampleRunUntil } from '../../../test/support/sample-run.js';
import { RunViewState } from '../view/run-view-state.js';
import { displayWidth } from '../view/display-width.js';
import { fit, terminalLines } from './terminal-lines.js';
import { printable } from '../view/text-format.js';
import { TerminalReporter, wantsColor } from './terminal-reporter.js';

const plainStyle = { width: 200, color: false };

function viewAt(at: number, now = at): ReturnType<RunViewState['view']> {
  const state = new RunViewState();
  for (const e of sampleRunUntil(at)) state.emit(e);
  return state.view(now);
}

void describe('terminal display', () => {
  void test('while scanning: the scan\'s progress', () => {
    const lines = terminalLines(viewAt(RUN_START + 10), plainStyle);
    assert.deepEqual(lines, ['kiln 20261118.1053  running  elapsed 10s', 'scanning 19/38 ports (6 cached, 0 errors)']);
  });

  void test('while building: counters, hosts, one line per job with phase, elapsed and log against last time', () => {
    const lines = terminalLines(viewAt(RUN_START + 200), plainStyle);
    assert.match(lines[0]!, /^kiln 20261118\.1053 {2}running {2}elapsed 3m20s {2}ETA \d\d:\d\d:\d\d \(in 9m45s, from history\)$/);
    assert.equal(lines[1], 'built 12  up-to-date 2  running 4  queued 4  waiting 6  failed 2  prefailed 2  indirect 6  total 38');
    assert.equal(lines[2], 'hosts: localhost up 2/2  builder2 up 2/2');
    assert.deepEqual(lines.slice(3), [
      'builder2:0  lang/perl5          patch        24s    5%',
      'builder2:1  devel/gettext-tools build        32s   20%',
      'localhost:0 security/openssl    build      2m43s   53%',
      'localhost:1 databases/sqlite3   configure    25s   22%',
    ]);
  });

  void test('a job whose log stopped growing says for how long; a lost host says why', () => {
    const mutt = sampleRun().find((e) => e.type === 'job-started' && e.job.pkgname === 'mutt-2.2.13');
    assert.ok(mutt?.type === 'job-started');
    const lines = terminalLines(viewAt(mutt.at + 400, mutt.at + 404), plainStyle);
    assert.ok(lines.some((l) => /^localhost:\d mail\/mutt +build +6m44s +100% unchanged for 5m29s$/.test(l)), lines.join('\n'));
    assert.ok(lines.includes('hosts: localhost up 2/2  builder2 down 0/2 (Connection reset by peer)'));
  });

  void test('colour only on a TTY without NO_COLOR, and cut lines keep their colour closed', () => {
    assert.equal(wantsColor({ write: () => true, isTTY: true }, {}), true);
    assert.equal(wantsColor({ write: () => true, isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(wantsColor({ write: () => true, isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(wantsColor({ write: () => true, isTTY: false }, {}), false);
    const coloured = terminalLines(viewAt(RUN_START + 200), { width: 30, color: true });
    for (const line of coloured) assert.ok(line.replace(/\u001b\[[0-9;]*m/g, '').length <= 30, line);
    assert.equal(fit('\u001b[31mfailed 12\u001b[0m', 3), '\u001b[31mfai\u001b[0m');
  });
});

void describe('display width', () => {
  void test('wide characters take two columns, combining marks none', () => {
    assert.equal(displayWidth('devel/gmake'), 11);
    assert.equal(displayWidth('日本語'), 6);
    assert.equal(displayWidth('한국어'), 6);
    assert.equal(displayWidth('ｆｕｌｌ'), 8);
    assert.equal(displayWidth('🔥x'), 3);
    assert.equal(displayWidth('e\u0301'), 1);
    assert.equal(displayWidth('a\u200bb'), 2);
  });

  void test('a line is cut by columns, never through a wide character, its colour closed', () => {
    assert.equal(fit('漢字漢字', 5), '漢字');
    assert.equal(fit('ab漢字', 4), 'ab漢');
    assert.equal(fit('\u001b[33m漢字漢字\u001b[0m', 5), '\u001b[33m漢字\u001b[0m');
    assert.equal(fit('e\u0301e\u0301', 1), 'e\u0301');
  });

  void test('job lines with wide pkgpaths keep their columns and fit the width', () => {
    const view = viewAt(RUN_START + 200);
    const wide = { ...view, running: view.running.map((j, i) => ({ ...j, pkgpath: i % 2 === 0 ? `${j.pkgpath}-日本語` : j.pkgpath })) };
    const lines = terminalLines(wide, { width: 60, color: false }).slice(3);
    assert.equal(lines.length, 4);
    const phaseAt = (line: string): number => displayWidth(line.slice(0, line.search(/ (patch|build|configure|depends|extract) /)));
    assert.equal(new Set(lines.map(phaseAt)).size, 1, lines.join('\n'));
    for (const line of terminalLines(wide, { width: 40, color: true })) assert.ok(displayWidth(line.replace(/\u001b\[[0-9;]*m/g, '')) <= 40, line);
  });

  void test('bidirectional controls in metadata are shown as ?, so they cannot reorder the line', () => {
    assert.equal(printable('evil\u202etxt.exe'), 'evil?txt.exe');
  });
});

void describe('plain mode: one line per event', () => {
  const written: string[] = [];
  const reporter = new TerminalReporter({ out: { write: (t: string) => written.push(t), isTTY: false }, env: {} });
  for (const e of sampleRun()) reporter.emit(e);
  reporter.close();
  const lines = written.join('').trimEnd().split('\n');

  void test('starts, ends, failures with their class and log, requeues and hosts, no escape codes', () => {
    assert.ok(lines.some((l) => /^\d\d:\d\d:\d\d FAILED textproc\/icu icu-75\.1 on builder2:\d in 1m32s: build, compiler error \(log packages\/icu-75\.1\.log\)$/.test(l)));
    assert.ok(lines.some((l) => /^\d\d:\d\d:\d\d host builder2 down \(2 slots\): Connection reset by peer$/.test(l)));
    assert.ok(lines.some((l) => /^\d\d:\d\d:\d\d requeued lang\/python311 python311-3\.11\.9: host builder2 lost/.test(l)));
    assert.ok(lines.some((l) => /^\d\d:\d\d:\d\d indirect-failed devel\/boost-libs boost-libs-1\.85\.0: blocked by icu-75\.1$/.test(l)));
    assert.ok(lines.some((l) => /^\d\d:\d\d:\d\d run complete$/.test(l)));
    assert.equal(lines.filter((l) => / start /.test(l)).length, 30);
    assert.ok(!written.join('').includes('\u001b'));
  });

  void test('a pkgname holding escape sequences cannot drive the terminal', () => {
    const out: string[] = [];
    const r = new TerminalReporter({ out: { write: (t: string) => out.push(t), isTTY: false }, env: {} });
    r.emit({ type: 'message', at: RUN_START, level: 'warning', text: 'evil \u001b]0;pwned\u0007\u001b[2J name' });
    assert.equal(out.join(''), `${out.join('').slice(0, 8)} warning: evil ?]0;pwned??[2J name\n`);
  });
});
