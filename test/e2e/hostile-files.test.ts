// Ports that aim kiln's own file operations (run as root) at host files:
// the real `kiln build` on a tree this test writes, with canary files it
// plants. What a trusted builder must do: the canaries keep their owner,
// mode and content, no package holds their secret, each hostile port ends
// failed in the phase of its own fault, its log saying why (never host
// trouble, never retried), and the plain ports beside them build. (The
// error class is read from the log: `build error`, `package error`.)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { kiln, type KilnRun } from './scan-fixtures.js';

interface ReportPackage {
  readonly pkgname: string; readonly pkgpath: string; readonly status: string; readonly phase: string | null;
  readonly error: string | null; readonly reason: string | null; readonly log: string | null;
}

const root = process.getuid?.() === 0;
const LONG_PKGNAME = `${'l'.repeat(246)}-1.0`;

void describe('kiln build of ports that aim at host files', { skip: root ? false : 'needs root: builds run as nobody and the canaries are root-only' }, () => {
  let work: string;
  /** Under /etc, which every sandbox shows read-only: a build could read it if kiln handed it over. */
  let etcCanary: string;
  let secretFile: string;
  /** Only on the host: what a symlinked DESTDIR component would make kiln package. */
  let hostDir: string;
  const secrets = [`kiln-canary-${process.pid}-file`, `kiln-canary-${process.pid}-dir`];
  let run: KilnRun;
  let report: { packages: ReportPackage[] };
  const pkg = (pkgpath: string): ReportPackage => {
    const found = report.packages.find((p) => p.pkgpath === pkgpath);
    assert.ok(found, `${pkgpath} is in report.json`);
    return found;
  };
  const logOf = (p: ReportPackage): string => readFileSync(path.join(work, 'logs', p.log!), 'utf8');

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'kiln-hostile-files-'));
    chmodSync(work, 0o755);
    etcCanary = mkdtempSync('/etc/kiln-canary-');
    chmodSync(etcCanary, 0o700);
    secretFile = path.join(etcCanary, 'secret');
    writeFileSync(secretFile, `${secrets[0]}\n`, { mode: 0o600 });
    hostDir = path.join(work, 'host-dir');
    mkdirSync(path.join(hostDir, 'kiln/share'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(hostDir, 'kiln/share/secret'), `${secrets[1]}\n`, { mode: 0o600 });
    for (const p of [etcCanary, secretFile, hostDir]) chownSync(p, 0, 0);

    const tree = path.join(work, 'tree');
    const port = (pkgpath: string, text: string): string => {
      const dir = path.join(tree, pkgpath);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'Portfile'), text);
      return dir;
    };
    const installs = (what: string): string => `install() { mkdir -p "$DESTDIR$PREFIX/share"; ${what}; }\n`;
    port('misc/plain', `PKGNAME=plain-1.0\nbuild() { echo plain > out; }\n${installs('cp out "$DESTDIR$PREFIX/share/plain"')}`);
    // Item 1: a symlink in the port directory to a root-only file, and to its directory.
    const links = port('hostile/links', 'PKGNAME=links-1.0\n'
      + 'build() { { cat link || echo unreadable; cat linkdir/secret || echo unreadable; } > stolen; }\n'
      + installs('cp stolen "$DESTDIR$PREFIX/share/stolen"'));
    symlinkSync(secretFile, path.join(links, 'link'));
    symlinkSync(etcCanary, path.join(links, 'linkdir'));
    // Item 2: install() makes a component on the way to PREFIX a symlink to a host directory.
    port('hostile/optlink', `PKGNAME=optlink-1.0\ninstall() { ln -s ${hostDir} "$DESTDIR/opt"; }\n`);
    // The port directory, or its Portfile, a symlink out of the tree.
    const outside = path.join(work, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'Portfile'), `PKGNAME=dirlink-1.0\n${installs('echo x > "$DESTDIR$PREFIX/share/x"')}`);
    mkdirSync(path.join(tree, 'hostile'), { recursive: true });
    symlinkSync(outside, path.join(tree, 'hostile/dirlink'));
    mkdirSync(path.join(tree, 'hostile/portfilelink'));
    writeFileSync(path.join(outside, 'Portfile2'), `PKGNAME=portfilelink-1.0\n${installs('echo x > "$DESTDIR$PREFIX/share/y"')}`);
    symlinkSync(path.join(outside, 'Portfile2'), path.join(tree, 'hostile/portfilelink/Portfile'));
    // Item 7: a port's own faults that used to pass for host trouble.
    execFileSync('mkfifo', [path.join(port('hostile/fifo', 'PKGNAME=fifo-1.0\n'), 'pipe')]);
    writeFileSync(Buffer.concat([Buffer.from(`${port('hostile/badname', 'PKGNAME=badname-1.0\n')}/bad`), Buffer.from([0xff]), Buffer.from('.txt')]), 'x');
    port('hostile/longname', `PKGNAME=${LONG_PKGNAME}\n${installs('echo long > "$DESTDIR$PREFIX/share/long"')}`);
    port('hostile/fifoinstall', `PKGNAME=fifoinstall-1.0\n${installs('mkfifo "$DESTDIR$PREFIX/share/pipe"')}`);
    port('hostile/badinstall', `PKGNAME=badinstall-1.0\n${installs('echo x > "$DESTDIR$PREFIX/share/bad"$\'\\xff\'')}`);

    run = await kiln(['build', '--tree', tree, '--jobs', '2', '--logdir', path.join(work, 'logs'), '--packages', path.join(work, 'packages'), '--plain']);
    report = JSON.parse(readFileSync(path.join(work, 'logs/report.json'), 'utf8')) as typeof report;
  });
  after(() => {
    rmSync(etcCanary, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  void test('the canaries keep their owner, mode and content', () => {
    for (const [file, mode] of [[etcCanary, 0o700], [secretFile, 0o600], [hostDir, 0o700], [path.join(hostDir, 'kiln/share/secret'), 0o600]] as const) {
      const info = statSync(file);
      assert.deepEqual([info.uid, info.gid, info.mode & 0o7777], [0, 0, mode], file);
    }
    assert.equal(readFileSync(secretFile, 'utf8'), `${secrets[0]}\n`);
    assert.equal(readFileSync(path.join(hostDir, 'kiln/share/secret'), 'utf8'), `${secrets[1]}\n`);
  });

  void test('no package holds a canary', () => {
    const all = path.join(work, 'packages/All');
    const packages = readdirSync(all).filter((name) => name.endsWith('.tgz'));
    assert.ok(packages.includes('links-1.0.tgz'), 'the port with the links built, without what they point at');
    const leaks = packages.flatMap((name) => {
      const text = execFileSync('tar', ['-xzOf', path.join(all, name)]).toString('latin1');
      return secrets.filter((secret) => text.includes(secret)).map((secret) => `${name} holds ${secret}`);
    });
    assert.deepEqual(leaks, []);
    assert.match(execFileSync('tar', ['-xzOf', path.join(all, 'links-1.0.tgz'), 'share/stolen'], { encoding: 'utf8' }), /^unreadable\nunreadable\n$/);
  });

  void test('a symlink on the way from DESTDIR to PREFIX fails the port in package, saying which', () => {
    const p = pkg('hostile/optlink');
    assert.deepEqual([p.status, p.phase, p.error], ['failed', 'package', 'package error']);
    assert.match(logOf(p), /refused: \$DESTDIR\/opt is a symlink/);
  });

  void test('a port directory or Portfile that is a symlink out of the tree is not built through it', () => {
    for (const pkgpath of ['hostile/dirlink', 'hostile/portfilelink']) {
      const p = report.packages.find((found) => found.pkgpath === pkgpath);
      assert.ok(p === undefined || p.status !== 'done', `${pkgpath} was built through a symlink: ${JSON.stringify(p)}`);
    }
    assert.ok(!readdirSync(path.join(work, 'packages/All')).some((name) => name.startsWith('dirlink-') || name.startsWith('portfilelink-')));
  });

  void test('a FIFO or a non-UTF-8 name in the port directory fails the port in build, with its log saying why', () => {
    const fifo = pkg('hostile/fifo');
    assert.deepEqual([fifo.status, fifo.phase, fifo.error], ['failed', 'build', 'build error']);
    assert.match(logOf(fifo), /the port file pipe is a FIFO/);
    const badname = pkg('hostile/badname');
    assert.deepEqual([badname.status, badname.phase, badname.error], ['failed', 'build', 'build error']);
    assert.match(logOf(badname), /not UTF-8/);
  });

  void test('a FIFO or a non-UTF-8 name installed into DESTDIR fails the port in package', () => {
    const fifo = pkg('hostile/fifoinstall');
    assert.deepEqual([fifo.status, fifo.phase, fifo.error], ['failed', 'package', 'package error']);
    assert.match(logOf(fifo), /share\/pipe is a FIFO/);
    const badname = pkg('hostile/badinstall');
    assert.deepEqual([badname.status, badname.phase, badname.error], ['failed', 'package', 'package error']);
    assert.match(logOf(badname), /not UTF-8/);
  });

  void test('a 250-character PKGNAME builds', () => {
    assert.equal(pkg('hostile/longname').status, 'done');
    assert.equal(pkg('hostile/longname').pkgname, LONG_PKGNAME);
    assert.ok(statSync(path.join(work, 'packages/All', `${LONG_PKGNAME}.tgz`)).isFile());
  });

  void test('the plain port builds, no job is retried as host trouble, and the run says some packages failed', () => {
    assert.equal(pkg('misc/plain').status, 'done');
    assert.equal(run.status, 1, run.stderr);
    const buildLog = readFileSync(path.join(work, 'logs/build.log'), 'utf8');
    assert.doesNotMatch(buildLog, /lost/, 'a job was taken for host trouble');
  });
});
