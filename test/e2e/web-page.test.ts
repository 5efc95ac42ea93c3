// The operator's page in a real headless Chromium: the live page fed by a
// running server while events arrive, then the static report.html from
// file://. Screenshots go to out/e2e/ (not committed) to be looked at.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';

import { RunFilesReporter } from '../../src/report/run-files.js';
import { WebServer } from '../../src/report/web-server.js';
import { eventTime, HOSTILE_MAINTAINER, HOSTILE_PKGNAME, RUN_START, sampleRun } from '../support/sample-run.js';

const SHOTS = resolve('out', 'e2e');
const LAUNCH = {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
};

/** Watches a page for anything hostile metadata could make it do. */
function guard(page: Page): string[] {
  const trouble: string[] = [];
  page.on('dialog', (d) => { trouble.push(`dialog: ${d.message()}`); void d.dismiss(); });
  page.on('pageerror', (e) => trouble.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!/^(http:\/\/127\.0\.0\.1|file:|data:)/.test(r.url())) trouble.push(`request: ${r.url()}`); });
  return trouble;
}

async function rowTexts(page: Page, table: string, column: number): Promise<string[]> {
  return page.locator(`#${table} tbody tr td:nth-child(${column + 1})`).allTextContents();
}

/**
 * Waits until `check` holds, asking from here: the page's policy forbids
 * evaluating strings, so Playwright's waitForFunction cannot run there.
 */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const rowsAre = (page: Page, table: string, n: number): Promise<void> =>
  until(`${n} rows in #${table}`, async () => (await page.locator(`#${table} tbody tr`).count()) === n);

async function assertNoInjection(page: Page): Promise<void> {
  assert.equal(await page.locator('img').count(), 0, 'no <img> from metadata');
  assert.equal(await page.locator('script:not([type="application/json"])').count(), 1, 'only the page\'s own script');
}

void describe('the operator\'s page in Chromium', () => {
  let browser: Browser;
  const root = mkdtempSync(join(tmpdir(), 'kiln-page-'));
  const events = sampleRun();

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch(LAUNCH);
  });
  after(async () => {
    await browser.close();
    rmSync(root, { recursive: true, force: true });
  });

  void test('live: running ports appear while events arrive; after the end the failures table sorts and filters', async () => {
    let now = RUN_START;
    const server = new WebServer({ logdir: root, clock: () => now, tickMs: 100 });
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const feed = (until: number): void => {
      while (events.length > fed && eventTime(events[fed]!) <= until) server.emit(events[fed++]!);
      now = until;
    };
    let fed = 0;
    try {
      feed(RUN_START + 200);
      const page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
      const trouble = guard(page);
      await page.goto(url);
      await rowsAre(page, 'running', 4);
      assert.deepEqual((await rowTexts(page, 'running', 2)).sort(), ['gettext-tools-0.22.5', 'openssl-3.3.1', 'perl-5.38.2', 'sqlite3-3.46.0']);
      assert.equal(await page.textContent('#result'), 'running');
      assert.equal(await page.textContent('[data-count="queued"] b'), '4');
      assert.ok((await page.$$('#timeline rect.job.running')).length === 4, 'running bars on the timeline');
      await page.screenshot({ path: join(SHOTS, 'live-running.png'), fullPage: true });

      // More of the run arrives: the builder2 host is lost, jobs move.
      feed(RUN_START + 470);
      await until('builder2 down', async () => ((await page.textContent('#hosts')) ?? '').includes('builder2 down'));
      await until('two lost jobs', async () => (await page.locator('#timeline rect.job.lost').count()) === 2);

      // The rest, in a few steps, as a real run would.
      for (let t = RUN_START + 600; t <= RUN_START + 2400; t += 300) {
        feed(t);
        await new Promise((r) => setTimeout(r, 120));
      }
      await until('complete', async () => (await page.textContent('#result')) === 'complete');
      await rowsAre(page, 'packages', 38);

      // Failures: the most breaking first, then sorted by a click, then filtered by a search.
      assert.deepEqual((await rowTexts(page, 'failures', 0)).slice(0, 2).sort(), ['textproc/icu', 'x11/pixman']);
      await page.click('#failures th[data-key="pkgpath"]');
      const ascending = await rowTexts(page, 'failures', 0);
      assert.deepEqual(ascending, [...ascending].sort((a, b) => a.localeCompare(b)));
      assert.equal(await page.getAttribute('#failures th[data-key="pkgpath"]', 'aria-sort'), 'ascending');
      await page.click('#failures th[data-key="pkgpath"]');
      assert.deepEqual(await rowTexts(page, 'failures', 0), [...ascending].reverse());
      await page.click('#failures th[data-key="duration"]');
      const took = await rowTexts(page, 'failures', 9);
      assert.equal(took[0], '31m15s', 'the stuck job took longest');

      await page.fill('#search', 'icu');
      await rowsAre(page, 'failures', 1);
      assert.deepEqual(await rowTexts(page, 'failures', 0), ['textproc/icu']);
      assert.deepEqual((await rowTexts(page, 'indirect', 0)).sort(), ['converters/libvisio', 'devel/boost-libs', 'fonts/harfbuzz']);
      assert.equal(await page.getAttribute('#failures tbody tr a', 'href'), 'packages/icu-75.1.log');

      // Hostile metadata is shown as text, and does nothing.
      await page.fill('#search', 'touch /tmp');
      await rowsAre(page, 'failures', 1);
      assert.equal((await rowTexts(page, 'failures', 1))[0], HOSTILE_PKGNAME);
      assert.equal((await rowTexts(page, 'failures', 6))[0], HOSTILE_MAINTAINER);
      await assertNoInjection(page);
      await page.fill('#search', '');
      await page.screenshot({ path: join(SHOTS, 'live-finished.png'), fullPage: true });
      await page.screenshot({ path: join(SHOTS, 'live-finished-top.png') });
      assert.deepEqual(trouble, []);
      await page.close();
    } finally {
      await server.close();
    }
  });

  void test('report.html works from file:// with no server: sorts, filters, and stays inert', async () => {
    const files = new RunFilesReporter(root, { platform: 'test' });
    for (const e of sampleRun()) files.emit(e);
    const report = join(root, 'report.html');
    assert.ok(existsSync(report));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    const trouble = guard(page);
    await page.goto(pathToFileURL(report).href);
    await rowsAre(page, 'packages', 38);
    assert.equal(await page.textContent('#result'), 'complete');
    await page.click('#packages th[data-key="duration"]');
    const first = (await rowTexts(page, 'packages', 0))[0];
    assert.equal(first, 'mail/mutt', 'longest first after a click on a time column');
    await page.selectOption('#status-filter', 'indirect');
    await rowsAre(page, 'packages', 6);
    await page.selectOption('#status-filter', '');
    await page.fill('#search', 'alert(');
    await rowsAre(page, 'packages', 2);
    await assertNoInjection(page);
    await page.fill('#search', '');
    await page.screenshot({ path: join(SHOTS, 'report-html.png'), fullPage: true });
    assert.deepEqual(trouble, []);
    await page.close();
  });
});
