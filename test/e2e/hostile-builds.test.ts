// Ports that attack the host, with the real `kiln build` as root: builds
// that write outside DESTDIR, start daemons, try the network, kill every
// process they can see or flood their log; Portfiles whose scan hangs or
// writes. One run holds them all beside ordinary ports, so what one port
// does to the run shows in the others. Each test asserts what a trusted
// builder must guarantee: the canaries the test planted unchanged, no
// process of a build left, no connection reaching the test's listeners,
// every port with its right status, and kiln alive to the end.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';

import { makeTree } from '../support/fixture-tree.js';
import { kiln, type KilnResult } from '../support/kiln-runs.js';
import { packageContents } from '../support/package-contents.js';

const token = randomBytes(5).toString('hex');
const mark = `kiln-hostile-${token}`;
const work = mkdtempSync(join(tmpdir(), 'kiln-hostile-builds-'));
// A tree the build user can reach, as a ports tree is: the scans run as that user.
chmodSync(work, 0o755);
const tree = join(work, 'tree');
const logdir = join(work, 'logs');
const packages = join(work, 'packages');

/** Canaries the attacks aim at: host system paths, root's home, the tree, the run and repository directories. */
const canaries = [
  `/etc/${mark}`, `/usr/share/${mark}`, join(homedir(), mark), join(tree, 'misc/writer/canary'), join(tree, 'misc/victim/canary'),
  join(work, 'canary'),
];
/** Files no one made: any of them existing after the run was written by a port. */
const forbidden = [
  `/tmp/${mark}`, `/var/tmp/${mark}`, `/${mark}`, `/usr/${mark}`, join(homedir(), `${mark}.new`), join(tree, `${mark}`),
  join(logdir, mark), join(packages, 'All', `${mark}.tgz`), join(tree, 'misc/scanwriter', mark), `/tmp/${mark}-scan`, `/etc/${mark}-scan`,
];
const FLOOD_BYTES = 200_000_000;

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const lines = (...body: string[]): string => `${body.join('\n')}\n`;
const installOk = (name: string): string => `install() { mkdir -p "$DESTDIR$PREFIX/share/${name}" && echo ok >"$DESTDIR$PREFIX/share/${name}/ok"; }`;

/** Overwrites, appends to, re-modes, moves and removes each path given; failures are silenced, so the build (run with errexit) goes on. */
const HIT = `hit() {
  for f; do
    { echo pwned >"$f"; echo pwned >>"$f"; chmod 777 "$f"; mv "$f" "$f.moved"; rm -rf "$f"; mkdir -p "$f.d"; } 2>/dev/null || :
  done
}`;

const ports: Record<string, Record<string, string>> = {
  'misc/writer': {
    Portfile: lines('PKGNAME=writer-1.0', HIT,
      `build() { sleep 1; hit ${[...canaries, ...forbidden].map(q).join(' ')}; hit /tmp/kiln-*/* /var/tmp/kiln-*/* /proc/[0-9]*/root/tmp/*; }`,
      'install() {',
      `  hit ${canaries.map(q).join(' ')}`,
      '  mkdir -p "$DESTDIR$PREFIX/share/writer" "$DESTDIR/etc" && echo ok >"$DESTDIR$PREFIX/share/writer/ok"',
      `  cat ${q(`/usr/share/${mark}`)} >"$DESTDIR$PREFIX/share/writer/secret" 2>&1 || :`,
      `  echo outside >"$DESTDIR/etc/${mark}"; echo outside >"$DESTDIR/${mark}"; echo outside >"$DESTDIR$PREFIX/../${mark}"`,
      '}'),
    canary: 'the tree\'s canary\n',
  },
  // Runs while the writer does, and checks its own WRKSRC and DESTDIR hold only what it put there.
  'misc/victim': {
    Portfile: lines('PKGNAME=victim-1.0',
      'build() { echo mine >mine; sleep 3; ls -A >listing; cat canary mine >>listing; }',
      'install() { mkdir -p "$DESTDIR$PREFIX/share/victim" && cp listing "$DESTDIR$PREFIX/share/victim/"; ls -A "$DESTDIR" >>"$DESTDIR$PREFIX/share/victim/listing"; }'),
    canary: 'the victim\'s canary\n',
  },
  'misc/daemons': {
    Portfile: lines('PKGNAME=daemons-1.0',
      'build() {',
      `  setsid bash -c 'exec -a ${mark}-setsid sleep 1000' </dev/null >/dev/null 2>&1 &`,
      `  ( ( trap '' HUP TERM; exec -a ${mark}-double sleep 1000 ) & ) </dev/null >/dev/null 2>&1`,
      `  nohup bash -c 'exec -a ${mark}-nohup sleep 1000' >/dev/null 2>&1 &`,
      `  ( exec -a ${mark}-holds-output sleep 1000 ) &`,
      '  sleep 0.2; return 0',
      '}',
      `install() { setsid bash -c 'exec -a ${mark}-install sleep 1000' </dev/null >/dev/null 2>&1 & ${installOk('daemons').slice('install() { '.length)}`),
  },
  'misc/killer': {
    Portfile: lines('PKGNAME=killer-1.0',
      'build() { echo "visible: $(ls -d /proc/[0-9]* | wc -l)"; for p in node bwrap kiln sleep; do pkill -9 -f "$p" || :; done; kill -9 1 || :; kill -9 -1; }',
      installOk('killer')),
  },
  'misc/flood': {
    Portfile: lines('PKGNAME=flood-1.0',
      `build() { yes 'a line of a build that prints far too much, over and over, 0123456789abcdef' | head -c ${FLOOD_BYTES}; echo; echo flood done; }`,
      installOk('flood')),
  },
  // Ordinary ports, one needing the other, built alongside the attacks.
  'devel/base': { Portfile: lines('PKGNAME=base-1.0', 'build() { sleep 1; }', installOk('base')) },
  'devel/user': { Portfile: lines('PKGNAME=user-1.0', "DEPENDS=('base-[0-9]*:../../devel/base')", 'build() { test -e "$PREFIX/share/base/ok"; }', installOk('user')) },
  // Scans: a Portfile whose top level never returns, and one that writes.
  'misc/scanhang': { Portfile: lines('PKGNAME=scanhang-1.0', `exec -a ${mark}-scan sleep 100000`, installOk('scanhang')) },
  'misc/scanwriter': {
    Portfile: lines('PKGNAME=scanwriter-1.0', HIT, `COMMENT="read: $(cat ${q(`/usr/share/${mark}`)} 2>&1 || :)"`,
      `setsid bash -c 'exec -a ${mark}-scan-daemon sleep 1000' </dev/null >/dev/null 2>&1 &`,
      `hit ${[join(tree, 'misc/scanwriter', mark), `/tmp/${mark}-scan`, `/etc/${mark}-scan`, ...canaries].map(q).join(' ')}`,
      'build() { :; }', installOk('scanwriter')),
  },
};

interface Listener { readonly server: Server; readonly accepted: string[] }

async function listen(name: string, where: Parameters<Server['listen']>[0]): Promise<Listener> {
  const accepted: string[] = [];
  const server = createServer((socket) => {
    accepted.push(name);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, resolve);
  });
  return { server, accepted };
}

/** Live processes whose command line holds the marker. */
function marked(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(mark) && state !== 'Z') found.push(`${pid}: ${cmdline}`);
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

interface ReportPackage { pkgname: string; pkgpath: string; status: string; phase: string | null; error: string | null; reason: string | null }

void describe('kiln build on ports that attack the host', { skip: process.getuid?.() !== 0 && 'runs as root, as CI does' }, () => {
  let run: KilnResult;
  let report: ReportPackage[];
  const listeners: Listener[] = [];
  const before0 = new Map<string, { content: string; mode: number; uid: number }>();
  const pkg = (pkgpath: string): ReportPackage => {
    const found = report.find((p) => p.pkgpath === pkgpath);
    assert.ok(found, `${pkgpath} is in report.json`);
    return found;
  };

  before(async () => {
    for (const file of canaries) {
      if (!file.startsWith(tree)) writeFileSync(file, `canary ${token}\n`, { mode: 0o640 });
    }
    const tcp = await listen('tcp 127.0.0.1', { host: '127.0.0.1', port: 0 });
    const tcp6 = await listen('tcp ::1', { host: '::1', port: 0 }).catch(() => undefined);
    const abstract = await listen('abstract unix socket', `\0${mark}`);
    const unix = await listen('unix socket', join(work, 'sock'));
    chmodSync(join(work, 'sock'), 0o777);
    listeners.push(tcp, abstract, unix, ...(tcp6 ? [tcp6] : []));
    const port = (l: Listener): number => (l.server.address() as { port: number }).port;
    ports['misc/network'] = {
      Portfile: lines('PKGNAME=network-1.0',
        'try() { if timeout 2 "$@" 2>/dev/null; then echo "reached: $*"; else echo "refused: $*"; fi; }',
        // At the top level too, so the scan tries as well (errexit is on when the phases source it).
        `try bash -c 'echo scan >/dev/tcp/127.0.0.1/${port(tcp)}' >/dev/null || :`,
        'build() {',
        `  try bash -c 'echo hi >/dev/tcp/127.0.0.1/${port(tcp)}'`,
        ...(tcp6 ? [`  try bash -c 'echo hi >/dev/tcp/::1/${port(tcp6)}'`] : []),
        `  try perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Peer => "\\0${mark}") or exit 1'`,
        `  try perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Peer => "${join(work, 'sock')}") or exit 1'`,
        '  return 0',
        '}',
        installOk('network')),
    };
    await makeTree(tree, ports);
    for (const file of canaries) {
      const info = statSync(file);
      before0.set(file, { content: readFileSync(file, 'utf8'), mode: info.mode, uid: info.uid });
    }
    mkdirSync(packages);
    run = await kiln(['build', '--tree', tree, '--logdir', logdir, '--packages', packages, '--jobs', '3', '--plain', '--scan-timeout', '5'], { timeoutMs: 150_000 });
    report = (JSON.parse(readFileSync(join(logdir, 'report.json'), 'utf8')) as { packages: ReportPackage[] }).packages;
  });
  after(async () => {
    for (const l of listeners) await new Promise((resolve) => l.server.close(resolve));
    for (const file of canaries) {
      for (const f of [file, `${file}.moved`, `${file}.d`]) rmSync(f, { recursive: true, force: true });
    }
    for (const file of forbidden) rmSync(file, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  void test('kiln lives to the end of the run, and every port gets its status', () => {
    assert.equal(run.signal, null, `kiln was killed: ${run.stderr}`);
    assert.equal(run.code, 1, `ports failed: ${run.stderr}`);
    assert.match(run.stdout, /run complete\nbuilt \d+ .* total \d+\nreport: \S+\/report\.txt, \S+\/report\.html\n$/);
    const statuses = Object.fromEntries(report.map((p) => [p.pkgpath, p.status]));
    assert.deepEqual(statuses, {
      'devel/base': 'done', 'devel/user': 'done', 'misc/daemons': 'done', 'misc/flood': 'done', 'misc/killer': 'failed',
      'misc/network': 'done', 'misc/scanhang': 'prefailed', 'misc/scanwriter': 'done', 'misc/victim': 'done', 'misc/writer': 'done',
    });
  });

  void test('what a build writes to /etc, /usr, root\'s home, the tree or the run\'s directories does not reach the host', () => {
    for (const [file, was] of before0) {
      const info = statSync(file);
      assert.deepEqual({ content: readFileSync(file, 'utf8'), mode: info.mode, uid: info.uid }, was, file);
      assert.equal(existsSync(`${file}.moved`), false, `${file} was moved`);
      assert.equal(existsSync(`${file}.d`), false, `${file}.d was made`);
    }
    for (const file of forbidden) assert.equal(existsSync(file), false, `${file} was written`);
  });

  void test('the package holds only what was installed under $DESTDIR$PREFIX', async () => {
    const contents = await packageContents(join(packages, 'All/writer-1.0.tgz'));
    assert.deepEqual(contents.members.filter((m) => !m.startsWith('+')), ['share/writer/ok', 'share/writer/secret']);
  });

  void test('a build cannot read a root-only host file into its package', () => {
    const read = execFileSync('tar', ['-xzOf', join(packages, 'All/writer-1.0.tgz'), 'share/writer/secret'], { encoding: 'utf8' });
    assert.match(read, /Permission denied/);
  });

  void test('a scan cannot read a root-only host file into the metadata', () => {
    const secret = `canary ${token}`;
    assert.equal(readFileSync(join(logdir, 'report.json'), 'utf8').includes(secret), false, 'report.json');
    const summary = gunzipSync(readFileSync(join(packages, 'All/pkg_summary.gz'))).toString('utf8');
    assert.equal(summary.includes(secret), false, 'pkg_summary');
    assert.match(summary, /^COMMENT=read: cat: .*: Permission denied$/m);
    assert.equal(run.stderr.includes('warning'), false, run.stderr);
  });

  void test('a job running beside the attacks sees only its own files in WRKSRC and DESTDIR', () => {
    const listing = execFileSync('tar', ['-xzOf', join(packages, 'All/victim-1.0.tgz'), 'share/victim/listing'], { encoding: 'utf8' });
    assert.equal(listing, 'Portfile\ncanary\nlisting\nmine\nthe victim\'s canary\nmine\nopt\n');
  });

  void test('no process a build or a scan started survives it: setsid, double fork, nohup, ignored signals', () => {
    assert.deepEqual(marked(), []);
  });

  void test('a build or a scan cannot connect to the host: TCP on loopback, abstract and path Unix sockets never see it', () => {
    for (const l of listeners) assert.deepEqual(l.accepted, [], 'a build reached a listener');
    assert.match(readFileSync(join(logdir, 'packages/network-1.0.log'), 'utf8'), /refused: bash -c echo hi >\/dev\/tcp\/127\.0\.0\.1/);
  });

  void test('a build killing every process it can see sees and kills only its own; it fails as killed, with no retry', () => {
    const killer = pkg('misc/killer');
    assert.deepEqual([killer.status, killer.phase, killer.error], ['failed', 'build', 'killed']);
    const visible = Number(/^visible: (\d+)$/m.exec(readFileSync(join(logdir, 'packages/killer-1.0.log'), 'utf8'))?.[1]);
    assert.ok(visible < 10, `the build saw ${visible} processes, the host has hundreds`);
    assert.equal(readFileSync(join(logdir, 'build.log'), 'utf8').split('\n').filter((l) => l.startsWith('misc/killer')).length, 1, 'built once');
  });

  void test('a build printing hundreds of MB is judged by its exit; the run goes on', () => {
    assert.equal(pkg('misc/flood').status, 'done');
    assert.equal(pkg('devel/user').status, 'done');
    assert.match(readFileSync(join(logdir, 'build.log'), 'utf8'), /^misc\/flood localhost [\d.]+ \d+ /m);
  });

  void test('a scan that never ends is cut, with its reason, for that port only', () => {
    const hang = pkg('misc/scanhang');
    assert.equal(hang.status, 'prefailed');
    assert.match(hang.reason ?? '', /scan took longer than \d+ s and was killed/);
    assert.deepEqual(report.filter((p) => p.reason !== null && /longer than/.test(p.reason)).map((p) => p.pkgpath), ['misc/scanhang']);
  });
});

void test('a tree the build user cannot reach is scanned with kiln\'s own access, and kiln says so and how to mend it', { skip: process.getuid?.() !== 0 && 'runs as root' }, async () => {
  const closed = mkdtempSync(join(tmpdir(), 'kiln-hostile-closed-'));
  try {
    await makeTree(join(closed, 'tree'), { 'misc/one': { Portfile: lines('PKGNAME=one-1.0', installOk('one')) } });
    const scan = await kiln(['scan', '--tree', join(closed, 'tree')]);
    assert.equal(scan.code, 0, scan.stderr);
    assert.equal(scan.stderr, `kiln scan: warning: ${closed} is not searchable by the build user (uid 65534), so the scans of ${join(closed, 'tree')} run with root's access to files; make the tree readable by all (chmod a+rX) to scan it as that user\n`);
    assert.match(scan.stdout, /^PKGNAME=one-1\.0$/m);
  } finally {
    rmSync(closed, { recursive: true, force: true });
  }
});
