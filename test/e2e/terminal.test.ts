// The terminal view through a real pseudo-terminal (tmux): the display is
// redrawn in place at most once a second, failures stay above it, NO_COLOR
// is honoured, a pipe gets one line per event, and `kiln status` shows the
// same from another terminal.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';

import { displayWidth } from '../../src/report/view/display-width.js';
import { makeTree, portfile } from '../support/fixture-tree.js';

const REPLAY = resolve('dist/test/support/replay-run.js');
const KILN = resolve('bin/kiln.js');
const dir = mkdtempSync(join(tmpdir(), 'kiln-tty-'));
const sessions: string[] = [];
let counter = 0;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Starts `command` in a new tmux session of the given size; returns the session's name. */
function tmux(command: string, env: Record<string, string> = {}, width = 110, height = 24): string {
  const name = `kiln-e2e-${process.pid}-${counter++}`;
  const exports = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
  execFileSync('tmux', ['new-session', '-d', '-s', name, '-x', String(width), '-y', String(height),
    `env ${exports} sh -c ${quote(`${command}; echo EXIT=$?; sleep 60`)}`]);
  sessions.push(name);
  return name;
}

function capture(name: string, escapes = false): string {
  return execFileSync('tmux', ['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', name], { encoding: 'utf8' });
}

async function until(name: string, pattern: RegExp, ms = 20_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const screen = capture(name);
    if (pattern.test(screen)) return screen;
    if (Date.now() > end) throw new Error(`timed out waiting for ${String(pattern)}; screen:\n${screen}`);
    await sleep(100);
  }
}

after(() => {
  for (const name of sessions) {
    try { execFileSync('tmux', ['kill-session', '-t', name], { stdio: 'ignore' }); } catch { /* already gone */ }
  }
  rmSync(dir, { recursive: true, force: true });
});

const JOB_LINE = /^(localhost|builder2):\d +\S+\/\S+ +\S+ +\S+ +\d+%/m;

void describe('kiln build\'s terminal view on a TTY', () => {
  void test('redraws in place, at most once a second, with jobs, hosts, counters and failures above', async () => {
    const writes = join(dir, 'writes');
    const name = tmux(`node ${quote(REPLAY)} terminal 250`, { KILN_WRITES: writes });
    const mid = await until(name, JOB_LINE);
    assert.match(mid, /^built \d+ {2}up-to-date \d+ {2}running \d+ {2}queued \d+ {2}waiting \d+ {2}failed \d+ {2}prefailed 2 {2}indirect \d+ {2}total 38$/m);
    assert.match(mid, /^hosts: localhost up \d\/2 {2}builder2 (up|down) \d\/2/m);
    assert.equal(mid.match(/^kiln 20261118\.1053 /gm)?.length, 1, 'one display, redrawn in place');
    const end = await until(name, /EXIT=0/);
    assert.equal(end.match(/^kiln 20261118\.1053 {2}complete {2}elapsed 36m52s$/gm)?.length, 1);
    assert.match(end, /^built 23 {2}up-to-date 2 {2}running 0 {2}queued 0 {2}waiting 0 {2}failed 5 {2}prefailed 2 {2}indirect 6 {2}total 38$/m);
    assert.match(end, /^\d\d:\d\d:\d\d FAILED textproc\/icu on builder2 after 1m32s: build, compiler error \(packages\/icu-75\.1\.log\)$/m);
    assert.match(end, /^\d\d:\d\d:\d\d host builder2 down: Connection reset by peer$/m);
    assert.equal(end.match(/ FAILED /g)?.length, 5);
    assert.doesNotMatch(end, JOB_LINE, 'no job left on the display once the run is over');
    const times = readFileSync(writes, 'utf8').trim().split('\n').map(Number);
    assert.ok(times.length >= 5, `${times.length} redraws`);
    for (let i = 1; i < times.length - 1; i++) assert.ok(times[i]! - times[i - 1]! >= 990, `redraw ${i} came ${times[i]! - times[i - 1]!} ms after the one before`);
  });

  void test('wide characters in metadata: lines cut by columns, so the display never wraps and is redrawn in place', async () => {
    const name = tmux(`node ${quote(REPLAY)} terminal 250`, { KILN_WIDE: '1' }, 60);
    const wideJob = /^(localhost|builder2):\d +\S+-日本語🔥/m;
    let seen = 0;
    for (let i = 0; i < 40 && !/EXIT=0/.test(capture(name)); i++) {
      const screen = capture(name);
      if (wideJob.test(screen)) {
        seen++;
        assert.equal(screen.match(/^kiln 20261118\.1053 /gm)?.length, 1, `one display, redrawn in place:\n${screen}`);
        const jobs = screen.split('\n').filter((l) => /^(localhost|builder2):\d /.test(l));
        for (const line of jobs) assert.ok(displayWidth(line) <= 59, `a job line fits 59 columns: ${line}`);
      }
      await sleep(250);
    }
    assert.ok(seen >= 3, `${seen} screens with wide pkgpaths`);
    const end = await until(name, /EXIT=0/);
    assert.equal(end.match(/^kiln 20261118\.1053 {2}complete/gm)?.length, 1);
  });

  void test('colour on a TTY, none with NO_COLOR', async () => {
    const coloured = tmux(`node ${quote(REPLAY)} terminal 2000`);
    const plain = tmux(`node ${quote(REPLAY)} terminal 2000`, { NO_COLOR: '1' });
    await until(coloured, /EXIT=0/);
    await until(plain, /EXIT=0/);
    assert.match(capture(coloured, true), /\u001b\[31m\d\d:\d\d:\d\d FAILED/);
    assert.doesNotMatch(capture(plain, true), /\u001b\[3\dm/);
  });

  void test('not a TTY: one line per event, no escape codes', async () => {
    const out = join(dir, 'plain.txt');
    const name = tmux(`node ${quote(REPLAY)} terminal 2000 > ${quote(out)}`);
    await until(name, /EXIT=0/);
    const text = readFileSync(out, 'utf8');
    assert.ok(!text.includes('\u001b'));
    const lines = text.trim().split('\n');
    assert.equal(lines.filter((l) => / start \S+\/\S+ /.test(l)).length, 30);
    assert.ok(lines.some((l) => /^\d\d:\d\d:\d\d FAILED textproc\/icu icu-75\.1 on builder2:\d in 1m32s: build, compiler error/.test(l)));
    assert.match(lines.at(-3)!, /^\d\d:\d\d:\d\d run complete$/);
    assert.match(lines.at(-2)!, /^built \d+ .* total \d+$/, 'a pipe or cron mail ends with the counts');
    assert.match(lines.at(-1)!, /^report: \S+\/report\.txt, \S+\/report\.html$/);
  });
});

void describe('kiln build on a real 80x24 terminal with more jobs than rows', () => {
  /** `count` ports of their own, each sleeping `seconds` in its build. */
  async function sleepyTree(name: string, count: number, seconds: number): Promise<string> {
    const tree = join(dir, name);
    await makeTree(tree, Object.fromEntries(Array.from({ length: count }, (_, i) => [`misc/s${i}`, {
      Portfile: portfile(`s${i}-1.0`, { build: `sleep ${seconds}`, install: `mkdir -p "$DESTDIR$PREFIX/share"\necho ${i} > "$DESTDIR$PREFIX/share/s${i}"` }),
    }])));
    return tree;
  }
  const buildCommand = (tree: string, logdir: string, jobs: number): string =>
    `node ${quote(KILN)} build --tree ${quote(tree)} --logdir ${quote(logdir)} --packages ${quote(join(logdir, 'packages'))} --jobs ${jobs}`;
  /** The lines of kiln's display on the screen: the headline and every job line. */
  const display = (screen: string): { heads: number; jobs: string[]; more: string | undefined } => ({
    heads: screen.match(/^kiln \d+ {2}running/gm)?.length ?? 0,
    jobs: screen.split('\n').filter((l) => /^localhost:\d+ +misc\/s\d+ /.test(l)),
    more: /^\+(\d+) more$/m.exec(screen)?.[1],
  });

  void test('the display is cut to the height with "+N more", and redrawn for a new size', async () => {
    const tree = await sleepyTree('tall', 30, 6);
    const name = tmux(buildCommand(tree, join(dir, 'tall-run'), 30), {}, 80, 24);
    let screen = await until(name, /^\+\d+ more$/m, 60_000);
    for (let i = 0; i < 8; i++) {
      const seen = display(screen);
      assert.equal(seen.heads, 1, `one display, redrawn in place:\n${screen}`);
      if (seen.more !== undefined) {
        assert.ok(seen.jobs.length <= 24 - 4, `the job lines fit under the run, counters and hosts: ${seen.jobs.length}`);
        assert.ok(Number(seen.more) >= 1);
      }
      await sleep(300);
      screen = capture(name);
    }
    execFileSync('tmux', ['resize-window', '-t', name, '-x', '60', '-y', '12']);
    await sleep(1500);
    for (let i = 0; i < 4; i++) {
      screen = capture(name);
      const seen = display(screen);
      if (seen.heads === 0) break; // the run is over
      assert.equal(seen.heads, 1, `one display after the resize:\n${screen}`);
      assert.ok(seen.jobs.length <= 12 - 4, `cut to 12 rows: ${seen.jobs.length} job lines:\n${screen}`);
      for (const line of screen.split('\n')) assert.ok(displayWidth(line) <= 60, line);
      await sleep(500);
    }
    await until(name, /EXIT=[01]/, 120_000);
  });

  void test('after Ctrl-C (SIGINT) and a resume the interrupted job is on the display once', async () => {
    const tree = await sleepyTree('ghost', 1, 30);
    const logdir = join(dir, 'ghost-run');
    const first = tmux(buildCommand(tree, logdir, 2), {}, 80, 24);
    await until(first, /^localhost:\d+ +misc\/s0 +build/m, 60_000);
    // Ctrl-C's SIGINT to kiln alone (the pane's sh would die of it too and not say how kiln ended).
    const pid = Number(/^kiln=(\d+) /m.exec(readFileSync(join(logdir, 'kiln.lock'), 'utf8'))?.[1]);
    process.kill(pid, 'SIGINT');
    await until(first, /EXIT=130/, 30_000);
    const again = tmux(buildCommand(tree, logdir, 2), {}, 80, 24);
    await until(again, /^localhost:\d+ +misc\/s0 +build/m, 60_000);
    for (let i = 0; i < 6; i++) {
      const screen = capture(again);
      assert.equal(display(screen).jobs.length, 1, `one job for misc/s0, no ghost of the interrupted one:\n${screen}`);
      await sleep(500);
    }
  });
});

void describe('kiln status --logdir DIR', () => {
  void test('shows the same view from another terminal while the build runs, and ends with it', async () => {
    const logdir = join(dir, 'run');
    tmux(`node ${quote(REPLAY)} record ${quote(logdir)} 200`);
    for (let i = 0; i < 100 && !existsSync(join(logdir, 'kiln.db')); i++) await sleep(100);
    await sleep(1500);
    const name = tmux(`node ${quote(KILN)} status --logdir ${quote(logdir)}`);
    const mid = await until(name, JOB_LINE);
    assert.match(mid, /^kiln 20261118\.1053 {2}running {2}elapsed \S+/m);
    assert.match(mid, /^built \d+ {2}up-to-date 2 {2}running [1-4] {2}queued \d+ /m);
    const end = await until(name, /EXIT=0/);
    assert.equal(end.match(/^kiln 20261118\.1053 {2}complete {2}elapsed 36m52s$/gm)?.length, 1);
    assert.match(end, /failed 5 {2}prefailed 2 {2}indirect 6 {2}total 38$/m);
    assert.doesNotMatch(end, / FAILED /, 'joining late, it does not replay old failures above the display');

    const once = execFileSync('node', [KILN, 'status', '--once', '--logdir', logdir], { encoding: 'utf8', env: { ...process.env } });
    assert.equal(once.split('\n')[0], 'kiln 20261118.1053  complete  elapsed 36m52s');
    assert.ok(!once.includes('\u001b'));
  });

  void test('a directory with no run: a message saying what to do, exit status 4 (an input kiln cannot use)', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync('node', [KILN, 'status', '--logdir', join(dir, 'nothing')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      status = (err as { status: number }).status;
      stderr = (err as { stderr: string }).stderr;
    }
    assert.equal(status, 4);
    assert.match(stderr, /no run found in .*nothing.*kiln build --logdir/);
  });
});
