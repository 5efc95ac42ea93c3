// Small things an operator meets with the real `kiln` binary: a host line the
// build already has is refused at once (not by the next build), a build into
// a pipe ends with its counts and where the reports are, the repository's
// All/ holds packages and index files only, kiln(1)'s run directory lists
// files the run writes, the first run's ETA learns from its own jobs,
// kiln why answers from another process and the live pages (kiln build
// --web, kiln serve, in real Chromium) say the same in their Why column,
// and kiln scan streams.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { chromium, type Browser, type Page } from 'playwright-core';

import { makeTree, portfile } from '../support/fixture-tree.js';
import { buildArgs, kiln, kilnBuild, repo, type RunDirs } from '../support/kiln-runs.js';
import { startKiln, type KilnProcess } from '../support/kiln-process.js';
import { LAUNCH, until as untilPage } from '../support/page-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-operator-'));
const children: KilnProcess[] = [];
let browser: Browser | undefined;
after(async () => {
  await browser?.close();
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGINT');
  rmSync(work, { recursive: true, force: true });
});

/** The Why cell of a package on the page's "Every package" table. */
async function whyCell(page: Page, pkgpath: string): Promise<string> {
  await page.locator('#packages').scrollIntoViewIfNeeded();
  const headers = await page.locator('#packages thead th').allTextContents();
  const column = headers.findIndex((h) => h.startsWith('Why')) + 1;
  const row = page.locator(`#packages tbody tr:has-text("${pkgpath}")`);
  return (await row.count()) === 0 ? '' : row.locator(`td:nth-child(${column})`).innerText();
}

/** `count` ports that do not depend on each other, each building for `seconds`. */
async function sleepyTree(name: string, count: number, seconds: number): Promise<RunDirs> {
  const dirs = { tree: join(work, name, 'tree'), logdir: join(work, name, 'logs'), packages: join(work, name, 'packages') };
  await makeTree(dirs.tree, Object.fromEntries(Array.from({ length: count }, (_, i) => [`misc/p${i}`, {
    Portfile: portfile(`p${i}-1.0`, { build: `sleep ${seconds}`, install: `mkdir -p "$DESTDIR$PREFIX/share"\necho ${i} > "$DESTDIR$PREFIX/share/p${i}"` }),
  }])));
  return dirs;
}

void test('a build into a pipe ends with its counts and reports; All/ holds packages and index files only; kiln(1) lists what the run writes', async () => {
  const dirs = await sleepyTree('pipe', 2, 0);
  const first = await kilnBuild(dirs);
  assert.equal(first.code, 0, first.stderr);
  const lines = first.stdout.trimEnd().split('\n');
  assert.match(lines.at(-3) ?? '', /run complete$/);
  assert.match(lines.at(-2) ?? '', /^built 2 {2}up-to-date 0 .* failed 0 .* total 2$/);
  assert.equal(lines.at(-1), `report: ${dirs.logdir}/report.txt, ${dirs.logdir}/report.html`);
  assert.deepEqual(readdirSync(join(dirs.packages, 'All')).sort(), ['SHA512', 'p0-1.0.tgz', 'p1-1.0.tgz', 'pkg_summary.gz']);

  // Every file kiln(1) says a run directory holds is there, but those that come only with their cause.
  const page = readFileSync(join(repo, 'man/kiln.1'), 'utf8');
  const section = /^\.Sh RUN DIRECTORY\n([\s\S]*?)^\.Sh /m.exec(page)?.[1] ?? '';
  const listed = [...section.matchAll(/^\.It Pa ([a-z.]+)$/gm)].map((m) => m[1]!);
  const onlyWithCause = new Set(['fetch.log', 'hooks.log', 'hosts.added', 'kiln.lock', 'stop']);
  assert.ok(listed.length >= 7, `kiln(1) lists the run directory's files: ${listed.join(' ')}`);
  for (const file of listed.filter((f) => !onlyWithCause.has(f))) assert.ok(existsSync(join(dirs.logdir, file)), `kiln(1) lists ${file}, the run has it`);
});

void test('kiln host add refuses a host the build already has, and the next build starts', async () => {
  const dirs = await sleepyTree('host', 1, 0);
  assert.equal((await kilnBuild(dirs)).code, 0);
  const added = await kiln(['host', 'add', '--logdir', dirs.logdir, 'localhost jobs=3']);
  assert.equal(added.code, 4);
  assert.equal(added.stderr, `kiln: localhost is already a host of the build in ${dirs.logdir}; give the line another name (an address or user@host)\n`);
  assert.equal(existsSync(join(dirs.logdir, 'hosts.added')), false);
  const again = await kilnBuild(dirs);
  assert.equal(again.code, 0, again.stderr);
});

void test('the first run\'s ETA learns from the jobs it has built and says so', async () => {
  const dirs = await sleepyTree('eta', 8, 2);
  const build = kilnBuild(dirs, { args: ['--jobs', '1'] });
  let seen = '';
  for (let i = 0; i < 120 && !/built [2-5] /.test(seen); i++) {
    await new Promise((r) => setTimeout(r, 250));
    seen = existsSync(join(dirs.logdir, 'kiln.db')) ? (await kiln(['status', '--logdir', dirs.logdir])).stdout : '';
  }
  assert.match(seen, /built [2-5] /, seen);
  // Six ports of two seconds on one slot: about 12 s, where the guess for a port no history knows is a minute each.
  const eta = /ETA \S+ \(in (?:(\d+)s|(\d+)m\d*s?), (from [a-z ]+)\)/.exec(seen);
  assert.ok(eta, seen);
  assert.equal(eta[3], 'from this run');
  assert.ok(eta[1] !== undefined && Number(eta[1]) <= 30, `ETA ${eta[0]}`);
  assert.equal((await build).code, 0);
});

void test('kiln why and the live pages\' Why column, while one port waits on a slow dependency and the host is drained', async () => {
  const dirs = { tree: join(work, 'why', 'tree'), logdir: join(work, 'why', 'logs'), packages: join(work, 'why', 'packages') };
  const install = (name: string): string => `mkdir -p "$DESTDIR$PREFIX/share"\necho ${name} > "$DESTDIR$PREFIX/share/${name}"`;
  await makeTree(dirs.tree, {
    // Long enough that a loaded machine still starts Chromium and asks every question while it builds.
    'misc/slow': { Portfile: portfile('slow-1.0', { build: 'sleep 15', install: install('slow') }) },
    'misc/user': { Portfile: portfile('user-1.0', { install: install('user') }, 'DEPENDS=("slow>=1.0:../../misc/slow")\n') },
    'misc/other': { Portfile: portfile('other-1.0', { build: 'sleep 1', install: install('other') }) },
  });
  const why = async (pkgpath: string): Promise<string> => {
    const r = await kiln(['why', pkgpath, '--logdir', dirs.logdir]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const until = async (pkgpath: string, pattern: RegExp): Promise<string> => {
    let said = '';
    for (let i = 0; i < 80 && !pattern.test(said); i++) {
      await new Promise((r) => setTimeout(r, 250));
      said = existsSync(join(dirs.logdir, 'kiln.db')) ? (await kiln(['why', pkgpath, '--logdir', dirs.logdir])).stdout : '';
    }
    assert.match(said, pattern);
    return said;
  };
  const build = startKiln([...buildArgs(dirs, 1), '--web', '127.0.0.1:0']);
  children.push(build);
  const buildUrl = /live page is at (http\S+)/.exec(await build.line(/live page is at http/))![1]!;
  await until('misc/slow', /^misc\/slow \(slow-1\.0\) is building\n$/);
  assert.equal(await why('misc/user'), 'misc/user (user-1.0) waits for its dependencies (still building: slow-1.0)\n');
  const serve = startKiln(['serve', '--logdir', dirs.logdir, '--web', '127.0.0.1:0']);
  children.push(serve);
  const serveUrl = /at (http\S+)/.exec(await serve.line(/serving .* at http/))![1]!;
  browser = await chromium.launch(LAUNCH);
  const pages = await Promise.all([buildUrl, serveUrl].map(async (url) => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
    return page;
  }));
  const pageSays = async (pkgpath: string, text: string): Promise<void> => {
    for (const [i, page] of pages.entries()) {
      await untilPage(`${['kiln build --web', 'kiln serve'][i]}'s Why of ${pkgpath}: ${text}`, async () => (await whyCell(page, pkgpath)).startsWith(text));
    }
  };
  await pageSays('misc/user', 'waits for its dependencies (still building: slow-1.0)');
  // The build writes the reasons of packages whose dependencies are built every two seconds.
  await until('misc/other', /^misc\/other \(other-1\.0\) every slot is busy; 0 ready packages come before it \(as of \d\d:\d\d:\d\d\)\n$/);
  await pageSays('misc/other', 'every slot is busy; 0 ready packages come before it');
  assert.equal((await kiln(['stop', '--logdir', dirs.logdir, '--host', 'localhost'])).code, 0);
  await until('misc/other', /^misc\/other \(other-1\.0\) no host takes jobs: localhost draining /);
  await pageSays('misc/other', 'no host takes jobs: localhost draining');
  mkdirSync(join(repo, 'out/e2e'), { recursive: true });
  await pages[0]!.screenshot({ path: join(repo, 'out/e2e/why-column.png'), fullPage: true });
  rmSync(join(dirs.logdir, 'stop-localhost'));
  assert.equal(await build.exited, 0, build.lines.join('\n'));
  // Built: kiln serve's page says nothing of waiting any more.
  for (const pkgpath of ['misc/user', 'misc/other']) {
    await untilPage(`${pkgpath} done, no Why`, async () => (await pages[1]!.locator(`#packages tbody tr:has-text("${pkgpath}")`).innerText()).includes('done')
      && (await whyCell(pages[1]!, pkgpath)) === '');
  }
  serve.child.kill('SIGINT');
  await serve.exited;
  assert.equal(await why('misc/user'), 'misc/user (user-1.0) is done\n');
  const unknown = await kiln(['why', 'misc/nothing', '--logdir', dirs.logdir]);
  assert.equal(unknown.code, 4);
  assert.match(unknown.stderr, /misc\/nothing is not among the packages of run 1/);
});

void test('kiln scan of a tree streams the blocks in the tree\'s order as they are ready, and says its progress into a pipe', async () => {
  const tree = join(work, 'scan-tree');
  const quick = Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [`misc/${n}`, { Portfile: portfile(`${n}-1.0`) }]));
  // The last port in the tree's order takes seven seconds to scan.
  await makeTree(tree, { ...quick, 'misc/zslow': { Portfile: `sleep 7\n${portfile('zslow-1.0')}` } });
  const scan = startKiln(['scan', '--tree', tree, '--jobs', '2']);
  await scan.line(/^PKGNAME=d-1\.0$/, 20_000);
  assert.equal(scan.child.exitCode, null, 'the first ports are on stdout while the slow one still scans');
  assert.ok(!scan.lines.includes('PKGNAME=zslow-1.0'));
  assert.deepEqual(scan.lines.filter((l) => l.startsWith('PKGNAME=')), ['PKGNAME=a-1.0', 'PKGNAME=b-1.0', 'PKGNAME=c-1.0', 'PKGNAME=d-1.0']);
  await scan.line(/^kiln scan: 4\/5 ports$/, 20_000);
  assert.equal(await scan.exited, 0);
  assert.deepEqual(scan.lines.filter((l) => l.startsWith('PKGNAME=')).at(-1), 'PKGNAME=zslow-1.0');
});
