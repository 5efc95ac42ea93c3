// `kiln serve` follows its run directory: started on a finished run, it
// shows the next `kiln build` there on the open page without a restart,
// and each earlier run stays at /runs/N/, in real Chromium.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { chromium, type Browser, type Page } from 'playwright-core';

import { startKiln, type KilnProcess } from '../support/kiln-process.js';
import { LAUNCH, until } from '../support/page-helpers.js';
import { kiln, makeTree } from './scan-fixtures.js';

let browser: Browser;
let root: string;
let serve: KilnProcess | undefined;

before(async () => {
  browser = await chromium.launch(LAUNCH);
  root = await makeTree({
    'tree/misc/quick/Portfile': 'PKGNAME=quick-1.0\nbuild() { echo built; }\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo ok >"$DESTDIR$PREFIX/share/quick"; }\n',
  });
});
after(async () => {
  if (serve && serve.child.exitCode === null) serve.child.kill('SIGINT');
  await serve?.exited;
  await browser.close();
  await rm(root, { recursive: true, force: true });
});

const build = (...extra: string[]): ReturnType<typeof kiln> => kiln(['build', '--tree', `${root}/tree`, '--jobs', '1', '--logdir', `${root}/logs`,
  '--packages', `${root}/packages`, '--plain', ...extra]);

const shows = async (page: Page, text: string): Promise<void> => until(`the page shows "${text}"`, async () => (await page.locator('#run').innerText()) === text, 20_000);

void test('kiln serve shows a new run in its run directory without a restart; earlier runs stay at /runs/N/', async () => {
  assert.equal((await build()).status, 0);
  serve = startKiln(['serve', '--logdir', `${root}/logs`, '--web', '127.0.0.1:0']);
  const url = (/at (http\S+)/.exec(await serve.line(/serving .* at http/)))![1]!;
  const page = await browser.newPage();
  await page.goto(url);
  await shows(page, 'run 1');

  const second = await build('--force', 'misc/quick');
  assert.equal(second.status, 0, second.stderr);
  await shows(page, 'run 2');
  await until('the second run complete on the page', async () => (await page.title()) === 'kiln 2 complete');

  const earlier = await browser.newPage();
  await earlier.goto(`${url}runs/1`);
  await shows(earlier, 'run 1');
  assert.equal(await earlier.title(), 'kiln 1 complete');
  assert.ok(earlier.url().endsWith('/runs/1/'), earlier.url());
  const runs = await (await fetch(`${url}api/runs`)).json() as { id: number; page: string }[];
  assert.deepEqual(runs.map((r) => [r.id, r.page]), [[1, '/runs/1/'], [2, '/runs/2/']]);
  assert.equal((await fetch(`${url}runs/7/api/view`)).status, 404);
  await page.close();
  await earlier.close();
});
