// Names a port controls, with the real `kiln build` as root: PKGNAME,
// COMMENT, the port's directory names and its file names holding markup,
// backticks, $(...), `../`, newlines, terminal escapes and bytes that are
// not UTF-8. A trusted builder runs none of it (the canaries the names would
// make stay absent), shows it as text (report.html, report.txt, the live
// page in a real Chromium), keeps every pkgpath inside the tree, and gives
// each such port a status and a reason.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { makeTree } from '../support/fixture-tree.js';
import { kiln, kilnBin, type KilnResult } from '../support/kiln-runs.js';
import { packageContents } from '../support/package-contents.js';
import { assertNoInjection, guard, LAUNCH } from '../support/page-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-hostile-names-'));
// A tree the build user can reach, as a ports tree is: the scans run as that user.
chmodSync(work, 0o755);
const tree = join(work, 'tree');
const logdir = join(work, 'logs');
const packages = join(work, 'packages');
/** Where a name that ran would leave its mark: `ran-N` files. */
const ran = join(work, 'ran');
const touch = (n: number): string => `touch ${ran}/${n}`;

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const installOk = 'install() { mkdir -p "$DESTDIR$PREFIX/share" && echo ok >"$DESTDIR$PREFIX/share/ok-$RANDOM"; }';
const port = (pkgname: string, more = '', build = ':'): string => `PKGNAME=${pkgname}\n${more}\nbuild() { ${build}; }\n${installOk}\n`;

/** PKGNAMEs no tool may take as a name: each port is refused with a reason naming it. */
const badPkgnames: Record<string, string> = {
  'names/pkgname-markup': q('<script>alert(1)</script>-1.0'),
  'names/pkgname-dollar': q(`x$(${touch(1)})-1.0`),
  'names/pkgname-backtick': q(`x\`${touch(2)}\`-1.0`),
  'names/pkgname-newline': "$'ok-1.0\\nPKGNAME=forged-2.0'",
  'names/pkgname-escape': "$'\\e[31mred-1.0\\e[0m'",
  'names/pkgname-bytes': "$'bad\\xff\\xfe-1.0'",
  'names/pkgname-dots': q('../../../tmp/evil-1.0'),
};

const COMMENT = `<script>alert(5)</script> $(${touch(3)}) \`${touch(4)}\` ../../etc`;

/** Port directory names that are no pkgpath, each holding a valid Portfile. */
const badDirs: readonly Buffer[] = [
  Buffer.from('names/<script>alert(8)<'), Buffer.from(`names/$(${touch(5).replace(/\//g, '_')})`), Buffer.from('names/a`id`'),
  Buffer.from('names/new\nline'), Buffer.concat([Buffer.from('names/bytes'), Buffer.from([0xff, 0xfe])]), Buffer.from('<i>cat/port'),
];

interface ReportPackage { pkgname: string; pkgpath: string; status: string; phase: string | null; error: string | null; reason: string | null }

void describe('kiln build on ports with hostile names', { skip: process.getuid?.() !== 0 && 'runs as root, as CI does' }, () => {
  let run: KilnResult;
  let report: ReportPackage[];
  const pkg = (pkgpath: string): ReportPackage => {
    const found = report.find((p) => p.pkgpath === pkgpath);
    assert.ok(found, `${pkgpath} is in report.json`);
    return found;
  };

  before(async () => {
    mkdirSync(ran);
    await makeTree(tree, {
      ...Object.fromEntries(Object.entries(badPkgnames).map(([pkgpath, value]) => [pkgpath, { Portfile: port(value) }])),
      // Metadata that would run or render if anything evaluated it; the build fails, so the failure lists show it.
      'names/comment': { Portfile: port('comment-1.0', `COMMENT=${q(COMMENT)}\nMAINTAINER='<img src=x onerror=alert(6)>@example.org'`, 'echo "<script>alert(7)</script>"; false') },
      'names/comment-newline': { Portfile: port('comment-newline-1.0', "COMMENT=$'one\\ntwo'") },
      'names/comment-bytes': { Portfile: port('comment-bytes-1.0', "COMMENT=$'caf\\xe9 \\xff'") },
      // File names of the port, copied to WRKSRC and installed.
      'names/files': {
        Portfile: port('files-1.0', '', 'for f in *; do test -f "$f"; done').replace(installOk,
          () => 'install() { mkdir -p "$DESTDIR$PREFIX/share/files" && cp -- * "$DESTDIR$PREFIX/share/files/"; }'),
        '<img src=x onerror=alert(9)>.txt': 'markup\n', [`$(${touch(6).replace(/\//g, '_')})`]: 'dollar\n', '`id`': 'backtick\n', '-rf': 'dash\n',
      },
      'names/file-newline': {
        Portfile: port('file-newline-1.0', '', ':').replace(installOk,
          () => `install() { mkdir -p "$DESTDIR$PREFIX/share" && printf x >"$DESTDIR$PREFIX/share/"$'a\\n@exec ${touch(7).replace(/\//g, '_')}'; }`),
      },
      // A dependency directory climbing out of the tree, to a port kept beside it.
      'names/escape': { Portfile: port('escape-1.0', "DEPENDS=('outside-[0-9]*:../../../outside/port')") },
    });
    await makeTree(work, { 'outside/port': { Portfile: port('outside-1.0') } });
    for (const dir of badDirs) {
      mkdirSync(Buffer.concat([Buffer.from(`${tree}/`), dir]), { recursive: true });
      writeFileSync(Buffer.concat([Buffer.from(`${tree}/`), dir, Buffer.from('/Portfile')]), port(`baddir${badDirs.indexOf(dir)}-1.0`));
    }
    // A file name that is not UTF-8.
    mkdirSync(join(tree, 'names/file-bytes'));
    writeFileSync(join(tree, 'names/file-bytes/Portfile'), port('file-bytes-1.0'));
    writeFileSync(Buffer.concat([Buffer.from(join(tree, 'names/file-bytes/')), Buffer.from([0x6e, 0xff, 0x2e, 0x63])]), 'int x;\n');
    run = await kiln(['build', '--tree', tree, '--logdir', logdir, '--packages', packages, '--jobs', '2', '--plain'], { timeoutMs: 100_000 });
    report = (JSON.parse(readFileSync(join(logdir, 'report.json'), 'utf8')) as { packages: ReportPackage[] }).packages;
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  void test('nothing in a name runs: no canary made, no forged package', () => {
    assert.deepEqual(readdirSync(ran), []);
    assert.equal(run.signal, null, run.stderr);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(report.filter((p) => /forged|evil|outside/.test(p.pkgname)).map((p) => p.pkgname), []);
  });

  void test('a PKGNAME that is no name-version is refused, with a reason naming it', () => {
    for (const pkgpath of Object.keys(badPkgnames)) {
      const p = pkg(pkgpath);
      assert.equal(p.status, 'prefailed', pkgpath);
      assert.match(p.reason ?? '', /PKGNAME .* is not name-version/, pkgpath);
    }
    assert.equal(existsSync('/tmp/evil-1.0.tgz'), false);
  });

  void test('metadata holding markup and shell syntax is kept as text; a COMMENT of two lines is refused; bytes that are not UTF-8 do not stop the port', async () => {
    assert.deepEqual([pkg('names/comment').status, pkg('names/comment').phase], ['failed', 'build']);
    assert.equal(pkg('names/comment-newline').status, 'prefailed');
    assert.match(pkg('names/comment-newline').reason ?? '', /COMMENT holds a newline/);
    assert.equal(pkg('names/comment-bytes').status, 'done');
    const comment = (await packageContents(join(packages, 'All/comment-bytes-1.0.tgz'))).comment;
    assert.match(comment, /^caf.* .*\n$/);
  });

  void test('file names with markup, $(...), backticks and a leading dash are built and packaged as they are', async () => {
    assert.equal(pkg('names/files').status, 'done');
    const members = (await packageContents(join(packages, 'All/files-1.0.tgz'))).members.filter((m) => !m.startsWith('+')).sort();
    assert.deepEqual(members, ['share/files/$(touch _' + ran.slice(1).replace(/\//g, '_') + '_6)', 'share/files/-rf', 'share/files/<img src=x onerror=alert(9)>.txt',
      'share/files/Portfile', 'share/files/`id`'].sort());
  });

  void test('an installed file name with a line break fails the port in its package phase, naming the file', () => {
    const p = pkg('names/file-newline');
    assert.deepEqual([p.status, p.phase], ['failed', 'package']);
    assert.match(readFileSync(join(logdir, 'packages/file-newline-1.0.log'), 'utf8'), /"share\/a\\n@exec touch _\S+" has a line break/);
  });

  void test('a port file name that is not UTF-8 is the port\'s own: it builds or fails in a phase, never lost to the host', () => {
    const p = pkg('names/file-bytes');
    assert.ok(p.status === 'done' || (p.status === 'failed' && p.phase !== null && p.phase !== 'infrastructure'), JSON.stringify(p));
  });

  void test('a dependency directory leaving the tree is refused with a reason; the port outside is never built', () => {
    const p = pkg('names/escape');
    assert.equal(p.status, 'prefailed');
    assert.match(p.reason ?? '', /outside\/port.*inside the tree/);
    assert.equal(existsSync(join(packages, 'All/outside-1.0.tgz')), false);
  });

  void test('a PKGPATH on the command line climbing out of the tree is refused by name, and nothing is built', async () => {
    for (const pkgpath of ['../outside/port', 'names/../../outside/port', `${work}/outside/port`]) {
      const refused = await kiln(['build', '--tree', tree, '--logdir', join(work, 'logs-dots'), '--packages', join(work, 'packages-dots'), '--plain', pkgpath]);
      assert.equal(refused.code, 2, refused.stderr);
      assert.equal(refused.stderr.split('\n')[0], `kiln: not a pkgpath (category/name): ${JSON.stringify(pkgpath)}`);
      assert.equal(existsSync(join(work, 'packages-dots/All/outside-1.0.tgz')), false);
    }
  });

  void test('a port directory whose name is no pkgpath is not built, and the run says which and why, escaped', () => {
    assert.deepEqual(report.filter((p) => p.pkgname.startsWith('baddir')), []);
    const said = `${run.stdout}${run.stderr}`.split('\n').filter((line) => line.includes('a port directory\'s name must be'));
    assert.deepEqual(said.map((line) => /warning: (.+): not built:/.exec(line)?.[1]).sort(), [
      '<i>cat/port', 'names/$(touch _tmp_kiln-hostile-names-' + work.slice(-6) + '_ran_5)', 'names/<script>alert(8)<', 'names/a`id`',
      'names/bytes\\xff\\xfe', 'names/new\\x0aline'].sort());
  });

  void test('report.html and report.txt show names as text: no markup, no terminal escapes', () => {
    const html = readFileSync(join(logdir, 'report.html'), 'utf8');
    for (const raw of ['<script>alert', '<img src=x', '<i>cat']) assert.equal(html.includes(raw), false, raw);
    const txt = readFileSync(join(logdir, 'report.txt'), 'utf8');
    for (const text of [txt, run.stdout, run.stderr]) assert.equal(text.includes('\x1b['), false, 'no terminal escape from a name');
  });

  void test('the live page shows the run without running any of it, in a real Chromium', async () => {
    const serve = spawn(process.execPath, [kilnBin, 'serve', '--logdir', logdir, '--web', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const browser = await chromium.launch(LAUNCH);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        serve.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const found = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (found) resolve(found[1]!);
        });
        serve.on('close', () => reject(new Error(`kiln serve exited: ${out}`)));
      });
      const page = await browser.newPage();
      const trouble = guard(page);
      await page.goto(url);
      await page.waitForSelector('text=comment-1.0');
      await assertNoInjection(page);
      const text = await page.locator('body').innerText();
      assert.ok(text.includes('<img src=x onerror=alert(6)>@example.org'), 'the MAINTAINER is shown as text');
      assert.ok(text.includes('<script>alert(8)<: not built'), 'the directory that is no port is named');
      const report = await browser.newPage();
      trouble.push(...guard(report));
      await report.goto(pathToFileURL(join(logdir, 'report.html')).href);
      await assertNoInjection(report);
      assert.ok((await report.locator('body').innerText()).includes('<img src=x onerror=alert(6)>@example.org'), 'report.html shows the MAINTAINER as text');
      assert.deepEqual(trouble, []);
      assert.deepEqual(readdirSync(ran), []);
    } finally {
      await browser.close();
      serve.kill();
    }
  });
});
