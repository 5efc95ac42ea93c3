// `kiln build --web` during a real build, in a real headless Chromium: the
// page shows the ports that are building while they build, and report.html
// shows the failure afterwards. A screenshot goes to out/e2e/.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { chromium, type Browser } from 'playwright-core';

import { makeTree, repo } from './scan-fixtures.js';

const LAUNCH = {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
};

const slow = (name: string, seconds: number, deps = ''): string =>
  `PKGNAME=${name}-1.0\nCOMMENT="Takes ${seconds} s"\n${deps}\nbuild() { sleep ${seconds}; }\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo ok >"$DESTDIR$PREFIX/share/${name}"; }\n`;

let browser: Browser;
let root: string;

before(async () => {
  browser = await chromium.launch(LAUNCH);
  root = await makeTree({
    'tree/misc/slowa/Portfile': slow('slowa', 6),
    'tree/misc/slowb/Portfile': slow('slowb', 6),
    'tree/misc/after/Portfile': slow('after', 1, "DEPENDS=('slowa-[0-9]*:../../misc/slowa')"),
    'tree/misc/oops/Portfile': 'PKGNAME=oops-1.0\nMAINTAINER="someone@example.org"\nbuild() { echo "oops.c:1:10: fatal error: nothere.h: No such file or directory"; return 1; }\ninstall() { :; }\n',
  });
});
after(async () => {
  await browser.close();
  rmSync(root, { recursive: true, force: true });
});

void test('kiln build --web: the running ports appear on the page while they build; report.html shows the failure', async () => {
  const child = spawn(process.execPath, [path.join(repo, 'bin/kiln.js'), 'build', '--tree', `${root}/tree`, '--jobs', '2',
    '--logdir', `${root}/logs`, '--packages', `${root}/packages`, '--plain', '--web', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const found = /live page is at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr);
      if (found) resolve(found[1]!);
    });
    void exited.then(() => reject(new Error(`kiln exited before serving: ${stderr}`)));
  });
  child.stdout.resume();

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(url);
  const end = Date.now() + 20_000;
  let running: string[] = [];
  while (Date.now() < end) {
    running = (await page.locator('#running tbody tr').allTextContents()).join('\n').match(/slow[ab]-1\.0/g) ?? [];
    if (running.length === 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual([...new Set(running)].sort(), ['slowa-1.0', 'slowb-1.0'], 'both slow ports show as running');
  mkdirSync(path.join(repo, 'out/e2e'), { recursive: true });
  await page.screenshot({ path: path.join(repo, 'out/e2e/build-web-running.png'), fullPage: true });
  await page.close();

  assert.equal(await exited, 1, 'a port failed');
  const report = await browser.newPage();
  await report.goto(pathToFileURL(path.join(root, 'logs/report.html')).href);
  const failures = (await report.locator('#failures tbody tr').allTextContents()).join('\n');
  assert.match(failures, /misc\/oops/);
  assert.match(failures, /missing header/);
  await report.close();
});
