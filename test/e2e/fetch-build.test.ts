// Fetch jobs with the real `kiln build` and `kiln fetch`, against a
// loopback HTTP server this test starts (127.0.0.1 only). Ports share a
// distfile (one request), find theirs only on the second site, get a
// corrupt copy first, lose the connection half-way, wait for a slow large
// one while the others build, and find theirs nowhere; one has no
// distinfo. DISTDIR is watched the whole run: no file ever holds a
// distfile's name without being that distfile. A second run fetches nothing.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { parseSize } from '../../src/core/formats/size.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { RunStore } from '../../src/store/run-store.js';
import { DistfileServer } from '../support/distfile-server.js';
import { kiln, kilnBuild, type RunDirs } from '../support/kiln-runs.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-fetch-'));
const d: RunDirs = { tree: join(work, 'tree'), logdir: join(work, 'logs'), packages: join(work, 'packages') };
const distdir = join(work, 'distfiles');
const canary = join(work, 'canary');
const server = new DistfileServer();
after(async () => {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
});

/** `name-1.0.tar.gz` holding `name-1.0/hello` (and `name-1.0/pad`, `padBytes` of noise). */
function tarball(name: string, padBytes = 0): Buffer {
  const src = join(work, 'src', name);
  mkdirSync(join(src, `${name}-1.0`), { recursive: true });
  writeFileSync(join(src, `${name}-1.0`, 'hello'), `hello from ${name}\n`);
  if (padBytes > 0) writeFileSync(join(src, `${name}-1.0`, 'pad'), randomBytes(padBytes));
  const out = spawnSync('tar', ['-czf', '-', `${name}-1.0`], { cwd: src, maxBuffer: 64 << 20 });
  assert.equal(out.status, 0);
  return out.stdout;
}

const hex = (algorithm: string, body: Buffer): string => createHash(algorithm).update(body).digest('hex');
const distinfo = (files: Record<string, Buffer>): string => '$NetBSD$\n\n' + Object.entries(files).map(([file, body]) =>
  `SHA1 (${file}) = ${hex('sha1', body)}\nSHA512 (${file}) = ${hex('sha512', body)}\nSize (${file}) = ${body.length} bytes\n`).join('');

/** A port that unpacks `distfile` (of port `source`) and installs its hello as bin/<port>. */
function port(name: string, distfile: string | undefined, sites: string[], deps: string[] = []): string {
  return `PKGNAME=${name}-1.0
COMMENT="fetch test port"
DEPENDS=(${deps.map((dep) => `'${dep}-[0-9]*:../../fetch/${dep}'`).join(' ')})
${distfile === undefined ? '' : `DISTFILES=(${distfile})\nMASTER_SITES=(${sites.join(' ')})`}
build() { ${distfile === undefined ? 'echo plain > hello' : `cp ${distfile.replace('.tar.gz', '')}/hello hello`}; }
install() { mkdir -p "$DESTDIR$PREFIX/bin"; cp hello "$DESTDIR$PREFIX/bin/${name}"; }
`;
}

/**
 * A hostile distfile: a symlink to the host's canary directory and a file
 * through it, a member named with `../` and one with an absolute path into
 * the canary directory. Extracted as the build user in the sandbox, none
 * of them reaches the host.
 */
function hostileTarball(canary: string): Buffer {
  const src = join(work, 'src', 'hostile');
  mkdirSync(join(src, 'real'), { recursive: true });
  writeFileSync(join(src, 'real', 'owned'), 'owned\n');
  writeFileSync(join(src, 'up'), 'up\n');
  writeFileSync(join(src, 'abs'), 'abs\n');
  spawnSync('ln', ['-s', canary, join(src, 'link')]);
  const out = spawnSync('tar', ['-czPf', '-', '--transform', `s,^real,link,;s,^up$,../../../${canary.slice(1)}/up,;s,^abs$,${canary}/abs,`, 'link', 'real/owned', 'up', 'abs'],
    { cwd: src, maxBuffer: 1 << 20 });
  assert.equal(out.status, 0, out.stderr.toString());
  return out.stdout;
}

const bodies: Record<string, Buffer> = {};
let watching = true;
const violations: string[] = [];
/** When each distfile first appeared under its name in DISTDIR (seconds, the run's clock). */
const appeared = new Map<string, number>();

/** Watches DISTDIR until told to stop: a file under a distfile's name must be that distfile, whole. */
async function watchDistdir(): Promise<void> {
  const seen = new Map<string, string>();
  while (watching) {
    for (const file of existsSync(distdir) ? readdirSync(distdir) : []) {
      const body = bodies[file];
      if (body === undefined) continue;
      const at = join(distdir, file);
      let stamp: string;
      try {
        const s = statSync(at);
        stamp = `${s.size}:${s.mtimeMs}:${s.ino}`;
        if (seen.get(file) === stamp) continue;
        const content = readFileSync(at);
        if (!content.equals(body)) violations.push(`${file}: ${content.length} bytes, not the distfile`);
      } catch {
        continue; // renamed away between the look and the read
      }
      seen.set(file, stamp);
      if (!appeared.has(file)) appeared.set(file, Date.now() / 1000);
    }
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

/** What `kiln status --once` said of the slow distfile while it came: its bytes so far, each time it was asked. */
const slowSeen: { line: string; bytes: number }[] = [];

/** Asks `kiln status` (another process, reading the run directory) again and again while the build runs. */
async function watchStatus(): Promise<void> {
  while (watching) {
    if (existsSync(join(d.logdir, 'kiln.db'))) {
      const got = await kiln(['status', '--logdir', d.logdir, '--once']);
      const line = got.stdout.split('\n').find((l) => l.startsWith('fetch slow-1.0.tar.gz '));
      const size = line === undefined ? undefined : /^fetch \S+ \S+ ([\d.]+ ?[KMG]?i?B)\//.exec(line)?.[1];
      if (line !== undefined && size !== undefined) slowSeen.push({ line, bytes: parseSize(size)! });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Report {
  summary: { fetched: number; fetch_failed: number; fetched_bytes: number; fetch_s: number };
  packages: { pkgname: string; status: string; phase: string | null; error: string | null; reason: string | null; blocked_by: string[]; fetch_s: number | null; fetch_bytes: number | null }[];
}
const report = (): Report => JSON.parse(readFileSync(join(d.logdir, 'report.json'), 'utf8')) as Report;
const byName = (r: Report, pkgname: string) => r.packages.find((p) => p.pkgname === pkgname)!;

describe('fetch jobs beside the builds', () => {
  let first: Awaited<ReturnType<typeof kilnBuild>>;
  before(async () => {
    await server.start();
    const A = server.url('a');
    const B = server.url('b');
    for (const name of ['shared', 'second', 'corrupt', 'cut', 'nowhere']) bodies[`${name}-1.0.tar.gz`] = tarball(name);
    bodies['slow-1.0.tar.gz'] = tarball('slow', 1_500_000);
    server.set('a', 'shared-1.0.tar.gz', { kind: 'serve', body: bodies['shared-1.0.tar.gz']! });
    server.set('b', 'second-1.0.tar.gz', { kind: 'serve', body: bodies['second-1.0.tar.gz']! });
    server.set('a', 'corrupt-1.0.tar.gz', { kind: 'corrupt', body: bodies['corrupt-1.0.tar.gz']! });
    server.set('b', 'corrupt-1.0.tar.gz', { kind: 'serve', body: bodies['corrupt-1.0.tar.gz']! });
    server.set('a', 'cut-1.0.tar.gz', { kind: 'cut', body: bodies['cut-1.0.tar.gz']! });
    server.set('a', 'slow-1.0.tar.gz', { kind: 'slow', body: bodies['slow-1.0.tar.gz'], bytesPerS: 400_000 });
    const ports: Record<string, string> = {
      share1: port('share1', 'shared-1.0.tar.gz', [A]),
      share2: port('share2', 'shared-1.0.tar.gz', [A]),
      second: port('second', 'second-1.0.tar.gz', [A, B]),
      corrupt: port('corrupt', 'corrupt-1.0.tar.gz', [A, B]),
      cut: port('cut', 'cut-1.0.tar.gz', [A]),
      slow: port('slow', 'slow-1.0.tar.gz', [A]),
      nowhere: port('nowhere', 'nowhere-1.0.tar.gz', [A, B]),
      needsnowhere: port('needsnowhere', undefined, [], ['nowhere']),
      nodistinfo: port('nodistinfo', 'shared-1.0.tar.gz', [A]),
    };
    for (let i = 0; i < 6; i++) ports[`plain${i}`] = port(`plain${i}`, undefined, []);
    // Already in DISTDIR: verified, not fetched.
    mkdirSync(canary, { recursive: true, mode: 0o777 });
    bodies['hostile-1.0.tar.gz'] = hostileTarball(canary);
    mkdirSync(distdir, { recursive: true });
    writeFileSync(join(distdir, 'hostile-1.0.tar.gz'), bodies['hostile-1.0.tar.gz']);
    ports['hostile'] = port('hostile', 'hostile-1.0.tar.gz', []).replace(/build\(\) \{[^\n]*/, 'build() { ls -la; echo hello > hello; }');
    for (const [name, text] of Object.entries(ports)) {
      mkdirSync(join(d.tree, 'fetch', name), { recursive: true });
      writeFileSync(join(d.tree, 'fetch', name, 'Portfile'), text);
      const file = /DISTFILES=\((\S+)\)/.exec(text)?.[1];
      if (file !== undefined && name !== 'nodistinfo') writeFileSync(join(d.tree, 'fetch', name, 'distinfo'), distinfo({ [file]: bodies[file]! }));
    }
    const watchers = [watchDistdir(), watchStatus()];
    first = await kilnBuild(d, { args: ['--distdir', distdir, '--fetch-jobs', '4'] });
    watching = false;
    await Promise.all(watchers);
  });

  test('every port whose distfile could be had is built; the others fail in phase fetch, saying why', () => {
    assert.equal(first.code, 1, first.stderr);
    const r = report();
    for (const name of ['share1', 'share2', 'second', 'corrupt', 'cut', 'slow', 'plain0']) assert.equal(byName(r, `${name}-1.0`).status, 'done', name);
    const nowhere = byName(r, 'nowhere-1.0');
    assert.deepEqual([nowhere.status, nowhere.phase, nowhere.error], ['failed', 'fetch', 'fetch']);
    assert.match(nowhere.reason ?? '', /nowhere-1\.0\.tar\.gz could not be had: http:\/\/127\.0\.0\.1:\d+\/a\/nowhere-1\.0\.tar\.gz: HTTP 404; http:\/\/127\.0\.0\.1:\d+\/b\/nowhere-1\.0\.tar\.gz: HTTP 404/);
    assert.deepEqual([byName(r, 'needsnowhere-1.0').status, byName(r, 'needsnowhere-1.0').blocked_by], ['indirect-failed', ['nowhere-1.0']]);
    const nodistinfo = byName(r, 'nodistinfo-1.0');
    assert.deepEqual([nodistinfo.status, nodistinfo.phase], ['failed', 'fetch']);
    assert.match(nodistinfo.reason ?? '', /lists distfile shared-1\.0\.tar\.gz but has no distinfo file/);
    assert.match(readFileSync(join(d.logdir, 'packages', 'nowhere-1.0.log'), 'utf8'), /\/b\/nowhere-1\.0\.tar\.gz: HTTP 404/);
  });

  test('each distfile is asked for as often as it must be: once when shared, again only where a site failed', () => {
    assert.equal(server.requestsFor('shared-1.0.tar.gz').length, 1);
    assert.deepEqual(server.requestsFor('second-1.0.tar.gz').map((q) => q.site), ['a', 'b']);
    assert.deepEqual(server.requestsFor('corrupt-1.0.tar.gz').map((q) => q.site), ['a', 'b']);
    const cut = server.requestsFor('cut-1.0.tar.gz');
    assert.equal(cut.length, 2);
    assert.equal(cut[1]!.range, `bytes=${bodies['cut-1.0.tar.gz']!.length >> 1}-`, 'the broken transfer is resumed where it broke');
    assert.equal(server.requestsFor('slow-1.0.tar.gz').length, 1);
    assert.deepEqual(server.requestsFor('nowhere-1.0.tar.gz').map((q) => q.site), ['a', 'b']);
  });

  test('DISTDIR never held a partial or wrong file under a distfile name, and holds nothing else at the end but the corrupt copy set aside', () => {
    assert.deepEqual(violations, []);
    const left = readdirSync(distdir).sort();
    assert.deepEqual(left, ['corrupt-1.0.tar.gz', 'cut-1.0.tar.gz', 'hostile-1.0.tar.gz', 'second-1.0.tar.gz', 'shared-1.0.tar.gz', 'slow-1.0.tar.gz']);
  });

  test('a corrupt copy is reported with the expected and the got digest; fetch.log has a line per finished fetch', () => {
    const lines = readFileSync(join(d.logdir, 'fetch.log'), 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ')[0]).sort(), ['corrupt-1.0.tar.gz', 'cut-1.0.tar.gz', 'nowhere-1.0.tar.gz', 'second-1.0.tar.gz', 'shared-1.0.tar.gz', 'slow-1.0.tar.gz']);
    assert.ok(lines.some((l) => /^nowhere-1\.0\.tar\.gz 127\.0\.0\.1:\d+ 0 [\d.]+ !$/.test(l)), lines.join('\n'));
    const slow = lines.find((l) => l.startsWith('slow-'))!.split(' ');
    assert.equal(Number(slow[2]), bodies['slow-1.0.tar.gz']!.length);
    const body = bodies['corrupt-1.0.tar.gz']!;
    const bad = Buffer.from(body.map((b) => b ^ 0xff));
    const engineLog = readFileSync(join(d.logdir, 'engine.log'), 'utf8');
    assert.ok(engineLog.includes(`fetch corrupt-1.0.tar.gz: ${server.url('a')}corrupt-1.0.tar.gz: SHA1 mismatch: expected ${hex('sha1', body)}, got ${hex('sha1', bad)}`), engineLog);
  });

  test('the ports without distfiles build while the slow distfile comes; the slow port starts only once it is there', () => {
    const store = RunStore.openReadOnly(d.logdir);
    try {
      const jobs = store.jobs(store.latestRun()!.id);
      const slowIn = appeared.get('slow-1.0.tar.gz')!;
      const before = jobs.filter((j) => !j.pkgname.startsWith('slow') && j.endedAt !== undefined && j.endedAt < slowIn);
      assert.ok(before.length >= 4, `only ${before.length} jobs ended before the slow distfile was in`);
      assert.ok(jobs.find((j) => j.pkgname === 'slow-1.0')!.startedAt >= slowIn - 0.1);
    } finally {
      store.close();
    }
  });

  test('kiln status, from another process, shows the slow distfile coming: its site, its bytes growing, its rate', () => {
    assert.ok(slowSeen.length >= 2, `kiln status showed the slow fetch ${slowSeen.length} times`);
    assert.match(slowSeen[0]!.line, /^fetch slow-1\.0\.tar\.gz 127\.0\.0\.1:\d+ \S+ ?\S*\/1\.\d MiB \d+(\.\d)? ?[KM]?i?B\/s /);
    assert.ok(slowSeen.at(-1)!.bytes > slowSeen[0]!.bytes, slowSeen.map((s) => s.line).join('\n'));
    assert.ok(slowSeen.every((s) => s.bytes <= bodies['slow-1.0.tar.gz']!.length));
  });

  test('report.json gives each package its fetch bytes and seconds, and the run its total; history keeps the build time without the fetch', () => {
    const r = report();
    const slow = byName(r, 'slow-1.0');
    assert.equal(slow.fetch_bytes, bodies['slow-1.0.tar.gz']!.length);
    assert.ok(slow.fetch_s! >= 1, `the slow distfile took ${slow.fetch_s} s`);
    assert.equal(byName(r, 'share1-1.0').fetch_bytes, bodies['shared-1.0.tar.gz']!.length);
    assert.equal(byName(r, 'plain0-1.0').fetch_bytes, null);
    assert.equal(r.summary.fetched, 6 - 1, 'every distfile fetched but the one nowhere');
    assert.equal(r.summary.fetch_failed, 1);
    assert.ok(r.summary.fetched_bytes >= bodies['slow-1.0.tar.gz']!.length + bodies['shared-1.0.tar.gz']!.length);
    assert.ok(r.summary.fetch_s >= slow.fetch_s!);
    assert.match(first.stdout, /fetched 5 files, [\d.]+ MiB in \S+ \(1 failed\)/);
    assert.match(readFileSync(join(d.logdir, 'report.txt'), 'utf8'), /^Distfiles fetched 5 files, [\d.]+ MiB in \S+ \(1 failed\)$/m);
    const store = RunStore.openReadOnly(d.logdir);
    try {
      const job = store.jobs(store.latestRun()!.id).find((j) => j.pkgname === 'slow-1.0')!;
      const built = new HistoryStore(store).records().find((h) => h.pkgname === 'slow-1.0')!;
      assert.ok(built.wallS <= job.endedAt! - job.startedAt + 0.1, `history's ${built.wallS} s against the job's ${job.endedAt! - job.startedAt} s`);
      assert.ok(built.diskMiB !== undefined && built.diskMiB >= 1, `the work directory's size at the job's end is kept (${built.diskMiB} MiB)`);
    } finally {
      store.close();
    }
  });

  test('a hostile distfile, extracted as the build user in the sandbox, writes nothing on the host', () => {
    assert.deepEqual(readdirSync(canary), []);
    assert.equal(existsSync(join(work, 'up')), false);
    const log = readFileSync(join(d.logdir, 'packages', 'hostile-1.0.log'), 'utf8');
    assert.match(log, /kiln: extracting hostile-1\.0\.tar\.gz/);
    assert.notEqual(byName(report(), 'hostile-1.0').status, 'up-to-date');
  });

  test('a second run fetches nothing that is in DISTDIR, and tries the missing one again', async () => {
    const asked = server.requests.length;
    const again = await kilnBuild(d, { args: ['--distdir', distdir] });
    assert.equal(again.code, 1, again.stderr);
    assert.deepEqual([...new Set(server.requests.slice(asked).map((q) => q.name))], ['nowhere-1.0.tar.gz']);
    assert.equal(byName(report(), 'slow-1.0').status, 'up-to-date');
  });

  test('kiln fetch mirrors the tree into an empty DISTDIR and names what it could not have', async () => {
    const mirror = join(work, 'mirror');
    const got = await kiln(['fetch', '--tree', d.tree, '--distdir', mirror, '--master-site-override', server.url('b'), 'fetch/needsnowhere', 'fetch/second', 'fetch/corrupt', 'fetch/slow']);
    assert.equal(got.code, 1, got.stderr);
    assert.deepEqual(readdirSync(mirror).sort(), ['corrupt-1.0.tar.gz', 'second-1.0.tar.gz', 'slow-1.0.tar.gz']);
    // The slow file (1.4 MiB at 400 kB/s) is shown while it comes, with its bytes so far.
    assert.match(got.stdout, /^fetch slow-1\.0\.tar\.gz 127\.0\.0\.1:\d+ [\d.]+ (B|KiB|MiB)\/1\.4 MiB [\d.]+ (B|KiB|MiB)\/s \ds$/m);
    assert.match(got.stderr, /nowhere-1\.0: nowhere-1\.0\.tar\.gz could not be had/);
    assert.match(got.stdout, /fetched second-1\.0\.tar\.gz from 127\.0\.0\.1:\d+/);
    const all = await kiln(['fetch', '--tree', d.tree, '--distdir', distdir]);
    assert.equal(all.code, 1);
    assert.match(all.stdout, /have slow-1\.0\.tar\.gz/);
    assert.match(all.stderr, /nodistinfo-1\.0: the port lists distfile shared-1\.0\.tar\.gz but has no distinfo file/);
  });
});

describe('a run killed while it fetches', () => {
  const k: RunDirs = { tree: join(work, 'k-tree'), logdir: join(work, 'k-logs'), packages: join(work, 'k-packages') };
  const kDistdir = join(work, 'k-distfiles');

  test('leaves no file under the distfile name; the next run breaks the dead lock, fetches it again and builds', async () => {
    const body = tarball('killed', 400_000);
    bodies['killed-1.0.tar.gz'] = body;
    server.set('k', 'killed-1.0.tar.gz', { kind: 'slow', body, bytesPerS: 100_000 });
    mkdirSync(join(k.tree, 'fetch', 'killed'), { recursive: true });
    writeFileSync(join(k.tree, 'fetch', 'killed', 'Portfile'), port('killed', 'killed-1.0.tar.gz', [server.url('k')]));
    writeFileSync(join(k.tree, 'fetch', 'killed', 'distinfo'), distinfo({ 'killed-1.0.tar.gz': body }));
    let pid = 0;
    const killer = setInterval(() => {
      if (pid !== 0 && server.requestsFor('killed-1.0.tar.gz').length > 0 && existsSync(join(kDistdir, 'killed-1.0.tar.gz.kiln-part'))) process.kill(pid, 'SIGKILL');
    }, 50);
    const killed = await kilnBuild(k, { args: ['--distdir', kDistdir], started: (p) => { pid = p; } });
    clearInterval(killer);
    assert.equal(killed.signal, 'SIGKILL');
    assert.deepEqual(readdirSync(kDistdir).sort(), ['killed-1.0.tar.gz.kiln-lock', 'killed-1.0.tar.gz.kiln-part'], 'a dead lock and a partial file, under other names');
    const again = await kilnBuild(k, { args: ['--distdir', kDistdir] });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(server.requestsFor('killed-1.0.tar.gz').length, 2);
    assert.deepEqual(readdirSync(kDistdir), ['killed-1.0.tar.gz']);
    assert.deepEqual(readFileSync(join(kDistdir, 'killed-1.0.tar.gz')), body);
  });
});
