// Fetch for a pkgsrc tree (the fixture, Debian's bmake), against a loopback
// HTTP server this test starts (127.0.0.1 only): kiln fetches what pkgsrc's
// makefiles compute. fetchme has DIST_SUBDIR, a distfile and a patch file
// (PATCHFILES, from PATCH_SITES); `--master-site-override` is tried first,
// then the kit's mk.conf MASTER_SITE_OVERRIDE, with DIST_SUBDIR appended
// as pkgsrc does. mirrored's first site answers
// 404 and its file is only on the kit's mk.conf MASTER_SITE_BACKUP. lost's
// file is nowhere: it fails in phase fetch naming each URL. The builds see
// the verified files in DISTDIR, read-only; `kiln fetch` afterwards finds
// them there and asks no server for them.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, chmod, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

import { DistfileServer } from '../support/distfile-server.js';
import { phaseText } from '../support/job-logs.js';
import { fixture, fixtureCopy, makeKit, noBmake } from './pkgsrc-fixture.js';
import { kiln } from './scan-fixtures.js';

interface Row { pkgname: string; status: string; phase?: string; error?: string; reason?: string }

const sha512 = (body: Buffer): string => createHash('sha512').update(body).digest('hex');
const distinfo = (files: Record<string, Buffer>): string => '$NetBSD$\n\n' + Object.entries(files).map(([file, body]) =>
  `SHA1 (${file}) = ${createHash('sha1').update(body).digest('hex')}\nSHA512 (${file}) = ${sha512(body)}\nSize (${file}) = ${body.length} bytes\n`).join('');

const makefile = (lines: string[]): string => [...lines, 'CATEGORIES=\tdevel', '', '.include "../../mk/bsd.pkg.mk"', ''].join('\n');

void test('kiln fetches a pkgsrc port\'s distfiles and patch files as pkgsrc computes them, and builds from them', { skip: noBmake, timeout: 120_000 }, async (t) => {
  const { dir, tree } = await fixtureCopy();
  const server = new DistfileServer();
  await server.start();
  t.after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await chmod(dir, 0o755); // the builds run as nobody
  const base = server.url('x').replace(/x\/$/, '');

  // The kit's mk.conf names an override and a backup site; the ports name theirs through TEST_SITE.
  const kitDir = path.join(dir, 'kit');
  await cp(path.join(fixture, 'kit'), kitDir, { recursive: true, verbatimSymlinks: true });
  await appendFile(path.join(kitDir, 'usr/pkg/etc/mk.conf'),
    `TEST_SITE=\t${base}\nMASTER_SITE_OVERRIDE=\t\${TEST_SITE}kitmirror/\nMASTER_SITE_BACKUP=\t\${TEST_SITE}backup/\n`);
  const kit = makeKit(dir, kitDir);

  const src = path.join(dir, 'src');
  await mkdir(path.join(src, 'fetchme-1.0'), { recursive: true });
  await writeFile(path.join(src, 'fetchme-1.0', 'README'), 'fetchme, from its distfile\n');
  const tarball = execFileSync('tar', ['-czf', '-', 'fetchme-1.0'], { cwd: src });
  const patch = Buffer.from('and its patch file\n');
  const mirrored = Buffer.from('mirrored-2.0, from the backup site\n');

  const port = async (name: string, lines: string[], files: Record<string, Buffer>, scripts: Record<string, string> = {}): Promise<void> => {
    const portDir = path.join(tree, 'devel', name);
    await mkdir(path.join(portDir, 'files'), { recursive: true });
    await writeFile(path.join(portDir, 'Makefile'), makefile(lines));
    await writeFile(path.join(portDir, 'distinfo'), distinfo(files));
    for (const [file, text] of Object.entries(scripts)) await writeFile(path.join(portDir, 'files', file), text);
  };
  await port('fetchme', ['DISTNAME=\tfetchme-1.0', 'DIST_SUBDIR=\tfetchme', 'PATCHFILES=\tfetchme-fix.diff',
    'MASTER_SITES=\t${TEST_SITE}up/', 'PATCH_SITES=\t${TEST_SITE}patches/', 'PKGNAME=\tfetchme-1.0'],
  { 'fetchme/fetchme-1.0.tar.gz': tarball, 'fetchme/fetchme-fix.diff': patch }, {
    'build.sh': 'set -e\ntar -xzf "$DISTDIR/fetchme/fetchme-1.0.tar.gz"\ncat fetchme-1.0/README "$DISTDIR/fetchme/fetchme-fix.diff" > fetchme.txt\n',
    'install.sh': 'set -e\nmkdir -p "$DESTDIR$PREFIX/share"\ncp fetchme.txt "$DESTDIR$PREFIX/share/fetchme"\n',
  });
  await port('mirrored', ['DISTNAME=\tmirrored-2.0', 'EXTRACT_SUFX=\t.txt', 'MASTER_SITES=\t${TEST_SITE}dead/ ${TEST_SITE}up/', 'PKGNAME=\tmirrored-2.0'],
    { 'mirrored-2.0.txt': mirrored });
  await port('lost', ['DISTNAME=\tlost-1.0', 'MASTER_SITES=\t${TEST_SITE}dead/', 'PKGNAME=\tlost-1.0'], { 'lost-1.0.tar.gz': Buffer.from('never served\n') });
  const category = path.join(tree, 'devel', 'Makefile');
  await writeFile(category, (await readFile(category, 'utf8')).replace('SUBDIR+=\thello\n', 'SUBDIR+=\tfetchme\nSUBDIR+=\thello\nSUBDIR+=\tlost\nSUBDIR+=\tmirrored\n'));

  server.set('mirror', 'fetchme/fetchme-1.0.tar.gz', { kind: 'serve', body: tarball });
  server.set('patches', 'fetchme-fix.diff', { kind: 'serve', body: patch });
  server.set('backup', 'mirrored-2.0.txt', { kind: 'serve', body: mirrored });

  const logdir = path.join(dir, 'logs');
  const packages = path.join(dir, 'packages');
  const distdir = path.join(tree, 'distfiles');
  const ports = ['devel/fetchme', 'devel/mirrored', 'devel/lost'];
  const run = await kiln(['build', '--tree', tree, '--bootstrap-kit', kit, '--jobs', '2', '--logdir', logdir, '--packages', packages, '--plain',
    '--master-site-override', server.url('mirror'), ...ports]);
  assert.equal(run.status, 1, `lost fails to fetch\n${run.stdout}\n${run.stderr}`);
  const rows = (JSON.parse(readFileSync(path.join(logdir, 'report.json'), 'utf8')) as { packages: Row[] }).packages;
  const whole = (pkgname: string): Buffer => readFileSync(path.join(logdir, 'packages', `${pkgname}.log`));
  const requests = (name: string): string[] => server.requestsFor(name).map((r) => r.site);

  await t.test('statuses: built from their distfiles, and a file that is nowhere is a fetch failure naming every URL tried', () => {
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.pkgname, r.status])), { 'fetchme-1.0': 'done', 'mirrored-2.0': 'done', 'lost-1.0': 'failed' });
    const lost = rows.find((r) => r.pkgname === 'lost-1.0')!;
    assert.equal(lost.phase, 'fetch');
    const reason = whole('lost-1.0').toString('utf8');
    for (const site of ['mirror', 'kitmirror', 'dead', 'backup']) assert.match(reason, new RegExp(`${server.url(site)}lost-1\\.0\\.tar\\.gz: HTTP 404`), reason);
  });

  await t.test('pkgsrc\'s sites in pkgsrc\'s order: --master-site-override, mk.conf\'s MASTER_SITE_OVERRIDE (DIST_SUBDIR appended to both), SITES.<file>, mk.conf\'s MASTER_SITE_BACKUP', () => {
    assert.deepEqual(requests('fetchme/fetchme-1.0.tar.gz'), ['mirror'], 'the distfile came from the command line\'s override, under DIST_SUBDIR, once');
    assert.deepEqual(requests('fetchme/fetchme-fix.diff'), ['mirror', 'kitmirror'], 'the overrides have no patch file...');
    assert.deepEqual(requests('fetchme-fix.diff'), ['patches'], '...so it came from PATCH_SITES');
    assert.deepEqual(requests('mirrored-2.0.txt'), ['mirror', 'kitmirror', 'dead', 'up', 'backup'], 'the first sites answered 404');
    assert.equal(requests('fetchme-1.0.tar.gz').length, 0, 'never asked without its DIST_SUBDIR on the override site');
  });

  await t.test('the files are in DISTDIR (DIST_SUBDIR/ for fetchme), verified, nothing partial or wrong beside them', () => {
    assert.deepEqual(readFileSync(path.join(distdir, 'fetchme', 'fetchme-1.0.tar.gz')), tarball);
    assert.deepEqual(readFileSync(path.join(distdir, 'fetchme', 'fetchme-fix.diff')), patch);
    assert.deepEqual(readFileSync(path.join(distdir, 'mirrored-2.0.txt')), mirrored);
    assert.deepEqual(readdirSync(distdir).sort(), ['fetchme', 'mirrored-2.0.txt'], 'no lost-1.0.tar.gz, no .kiln-part');
    assert.deepEqual(readdirSync(path.join(distdir, 'fetchme')).sort(), ['fetchme-1.0.tar.gz', 'fetchme-fix.diff']);
  });

  await t.test('the build checked them with pkgsrc\'s checksum stage and built the package from them', () => {
    const checksum = phaseText(whole('fetchme-1.0'), 'checksum') ?? '';
    assert.match(checksum, /Checksum OK for fetchme\/fetchme-1\.0\.tar\.gz/);
    assert.match(checksum, /Checksum OK for fetchme\/fetchme-fix\.diff/);
    assert.match(phaseText(whole('mirrored-2.0'), 'checksum') ?? '', /Checksum OK for mirrored-2\.0\.txt/);
    const installed = execFileSync('tar', ['-xzOf', path.join(packages, 'All', 'fetchme-1.0.tgz'), 'share/fetchme'], { encoding: 'utf8' });
    assert.equal(installed, 'fetchme, from its distfile\nand its patch file\n');
  });

  await t.test('kiln fetch on the same ports: what is there is verified and kept, no server asked for it; lost is tried again', async () => {
    const before = server.requests.length;
    const again = await kiln(['fetch', '--tree', tree, '--bootstrap-kit', kit, '--master-site-override', server.url('mirror'), ...ports]);
    assert.equal(again.status, 1, again.stderr);
    assert.match(again.stdout, /have fetchme\/fetchme-1\.0\.tar\.gz\n/);
    assert.match(again.stdout, /have mirrored-2\.0\.txt\n/);
    assert.match(again.stderr, /lost-1\.0: lost-1\.0\.tar\.gz could not be had: .*backup\/lost-1\.0\.tar\.gz: HTTP 404/);
    assert.deepEqual(server.requests.slice(before).map((r) => r.site), ['mirror', 'kitmirror', 'dead', 'backup']);
    assert.ok(server.requests.slice(before).every((r) => r.name === 'lost-1.0.tar.gz'));
    assert.ok(!existsSync(path.join(distdir, 'lost-1.0.tar.gz')));
  });
});
