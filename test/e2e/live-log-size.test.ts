// A real `kiln build` of a port that writes a line a second for longer than
// the (shortened) stuck threshold, watched from other processes: `kiln
// status` read twice shows the log growing and no "unchanged" alarm;
// `kiln serve`'s page and the build's own --web page, in real Chromium,
// show a size that grows between two reads; once the build ends the
// packages table has the log's size, and a second build of the port shows
// its log against the first build's. /metrics says the same to promtool.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { chromium, type Browser, type Page } from 'playwright-core';

import { startKiln, type KilnProcess } from '../support/kiln-process.js';
import { LAUNCH, until } from '../support/page-helpers.js';
import { kiln, makeTree, repo } from './scan-fixtures.js';

const SECONDS = 12;
const STUCK_AFTER = 4;
const CHATTY = `PKGNAME=chatty-1.0\nCOMMENT="Writes a line a second"\nbuild() { for i in $(seq 1 ${SECONDS}); do echo "line $i of the chatty build"; sleep 1; done; }\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo ok >"$DESTDIR$PREFIX/share/chatty"; }\n`;

let browser: Browser;
let root: string;
const children: KilnProcess[] = [];

before(async () => {
  browser = await chromium.launch(LAUNCH);
  root = await makeTree({ 'tree/misc/chatty/Portfile': CHATTY });
});
after(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGINT');
  await Promise.all(children.map((c) => c.exited));
  await browser.close();
  await rm(root, { recursive: true, force: true });
});

/** Bytes from what the views print: `812 B`, `1.5 KiB`. */
function parseBytes(text: string): number {
  const m = /([\d.]+) (B|KiB|MiB)/.exec(text);
  assert.ok(m, `a size in ${JSON.stringify(text)}`);
  return Number(m[1]) * { B: 1, KiB: 1024, MiB: 1024 ** 2 }[m[2] as 'B' | 'KiB' | 'MiB'];
}

async function statusLine(): Promise<string> {
  const r = await kiln(['status', '--logdir', `${root}/logs`, '--once', '--plain']);
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.includes('misc/chatty'));
  assert.ok(line, `kiln status shows the running job:\n${r.stdout}`);
  return line;
}

/** The running job's "Log vs last" cell on a page. */
async function logCell(page: Page): Promise<string> {
  const headers = await page.locator('#running thead th').allTextContents();
  const column = headers.findIndex((h) => h.startsWith('Log vs last'));
  assert.ok(column >= 0, `a log column in ${headers.join('|')}`);
  return page.locator(`#running tbody tr:has-text("chatty") td:nth-child(${column + 1})`).innerText();
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function build(...extra: string[]): KilnProcess {
  const run = startKiln(['build', '--tree', `${root}/tree`, '--jobs', '1', '--logdir', `${root}/logs`, '--packages', `${root}/packages`,
    '--plain', '--stuck-after', String(STUCK_AFTER), '--web', '127.0.0.1:0', ...extra]);
  children.push(run);
  return run;
}

void test('a growing log is measured live by kiln status, kiln serve and the pages; no false "unchanged" alarm', async () => {
  const run = build();
  const buildUrl = (/live page is at (\S+)/.exec(await run.line(/live page is at/)))![1]!;
  await run.line(/start.*misc\/chatty|misc\/chatty.*start/);
  const serve = startKiln(['serve', '--logdir', `${root}/logs`, '--web', '127.0.0.1:0']);
  children.push(serve);
  const serveUrl = (/at (http\S+)/.exec(await serve.line(/serving .* at http/)))![1]!;
  const pages = await Promise.all([serveUrl, buildUrl].map(async (url) => {
    const page = await browser.newPage();
    await page.goto(url);
    await until(`the running job on ${url}`, async () => /\d/.test(await logCell(page).catch(() => '')));
    return page;
  }));

  // Past the stuck threshold: a job whose log grows is not "unchanged".
  await pause((STUCK_AFTER + 1) * 1000);
  const first = await statusLine();
  const firstCells = await Promise.all(pages.map(logCell));
  await pause(2500);
  const second = await statusLine();
  const secondCells = await Promise.all(pages.map(logCell));
  mkdirSync(join(repo, 'out/e2e'), { recursive: true });
  await pages[0]!.screenshot({ path: join(repo, 'out/e2e/live-log-size.png'), fullPage: true });
  for (const line of [first, second]) assert.doesNotMatch(line, /unchanged/, 'the log grows: no stuck alarm');
  assert.ok(parseBytes(first) > 0, `a size while the log grows: ${first}`);
  assert.ok(parseBytes(second) > parseBytes(first), `the size grows between two reads: ${first} -> ${second}`);
  for (const [i, name] of ['kiln serve', 'kiln build --web'].entries()) {
    assert.ok(parseBytes(secondCells[i]!) > parseBytes(firstCells[i]!), `${name}'s page: ${firstCells[i]} -> ${secondCells[i]}`);
  }
  // The same numbers for Prometheus, read by its own parser.
  for (const url of [serveUrl, buildUrl]) {
    const metrics = await (await fetch(`${url}metrics`)).text();
    execFileSync('promtool', ['check', 'metrics'], { input: metrics });
    assert.match(metrics, /^kiln_jobs_running 1$/m, url);
    assert.match(metrics, /^kiln_host_state\{host="localhost",state="up"\} 1$/m, url);
    assert.ok(Number(/^kiln_running_log_bytes (\d+)$/m.exec(metrics)?.[1]) > parseBytes(first), `${url}: running log bytes, measured later than kiln status`);
    assert.match(metrics, /^kiln_stuck_jobs 0$/m, url);
  }

  assert.equal(await run.exited, 0, run.lines.join('\n'));
  const logBytes = statSync(`${root}/logs/packages/chatty-1.0.log`).size;
  const page = pages[0]!;
  await until('the package built on the page', async () => (await page.locator('#packages tbody tr:has-text("chatty")').innerText()).includes('done'));
  const headers = await page.locator('#packages thead th').allTextContents();
  const size = await page.locator(`#packages tbody tr:has-text("chatty") td:nth-child(${headers.findIndex((h) => h.startsWith('Log size')) + 1})`).innerText();
  assert.equal(parseBytes(size), logBytes < 1024 ? logBytes : Number((logBytes / 1024).toFixed(1)) * 1024, `Log size ${size} is the log's ${logBytes} bytes`);
  await Promise.all(pages.map((p) => p.close()));
  serve.child.kill('SIGINT');
  await serve.exited;

  // Built again: its log against the first build's, from the history.
  const again = build('--force', 'misc/chatty');
  await again.line(/start.*misc\/chatty|misc\/chatty.*start/);
  await pause(3000);
  const percent = /(\d+)%/.exec(await statusLine());
  assert.ok(percent, 'the log as a percentage of the last build\'s');
  assert.ok(Number(percent[1]) > 0 && Number(percent[1]) < 100, `part of the last log so far: ${percent[1]}%`);
  assert.equal(await again.exited, 0);
});
