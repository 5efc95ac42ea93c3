// The operator's page with a big run, in a real headless Chromium: 20,000
// packages on 64 slots, a core package failing under 6,000 dependents.
// The live page loads half the run, then follows the rest; the timeline
// draws every job in its window, the tables show 100 rows at a time, and
// report.html of the whole run opens from file://. The long tables are
// worked out while on screen, so the test scrolls to them. How long it takes is
// for bench/web-page.ts to say; here only that it happens.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';

import { eventTime } from '../support/sample-run.js';
import { RunFilesReporter } from '../../src/report/sinks/run-files.js';
import { WebServer } from '../../src/report/sinks/web-server.js';
import { bigRun, BIG_START, CORE } from '../support/big-run.js';
import { guard, LAUNCH, measures, painted, rowTexts, until } from '../support/page-helpers.js';

const SHOTS = resolve('out', 'e2e');
const PACKAGES = 20_000;
const DEPENDENTS = 6_000;
const attr = async (page: Page, name: string): Promise<number> => Number(await page.getAttribute('#timeline canvas', `data-${name}`));
const drawnJobs = async (page: Page): Promise<number> =>
  (await attr(page, 'built')) + (await attr(page, 'failed')) + (await attr(page, 'running')) + (await attr(page, 'lost'));

void describe('the operator\'s page with 20,000 packages', () => {
  let browser: Browser;
  const root = mkdtempSync(join(tmpdir(), 'kiln-page-scale-'));
  const run = bigRun(PACKAGES, DEPENDENTS);

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch(LAUNCH);
  });
  after(async () => {
    await browser.close();
    rmSync(root, { recursive: true, force: true });
  });

  void test('live: the timeline draws every job, the indirect failures page through, and the updates bring the rest', async () => {
    let now = BIG_START;
    let fed = 0;
    const server = new WebServer({ logdir: root, clock: () => now, tickMs: 200 });
    const feed = (until: number): void => {
      while (fed < run.events.length && eventTime(run.events[fed]!) <= until) server.emit(run.events[fed++]!);
      now = until;
    };
    const half = BIG_START + Math.round((run.end - BIG_START) / 2);
    feed(BIG_START + 100);
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    const trouble = guard(page);
    try {
      await page.goto(url);
      await until('the timeline', async () => (await page.locator('#timeline canvas').count()) === 1, 30_000);
      // The core package fails while the page watches the table: its dependents come in updates, a part at a time.
      await page.locator('#indirect').scrollIntoViewIfNeeded();
      feed(half);
      await until('every indirect failure', async () => (await page.getAttribute('#indirect', 'data-rows')) === String(DEPENDENTS), 30_000);
      await until('half the run', async () => (await drawnJobs(page)) === run.events.filter((e) => e.type === 'job-started' && e.at <= half).length, 30_000);
      const first = run.events.flatMap((e) => (e.type === 'resolved' ? e.entries : [])).filter((p) => p.depends.includes(CORE))
        .map((p) => p.pkgpath).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).slice(0, 100);
      assert.deepEqual(await rowTexts(page, 'indirect', 0), first, 'the first hundred in pkgpath order, whichever update brought them');
      const started = run.events.filter((e) => e.type === 'job-started' && e.at <= half).length;
      assert.equal(await drawnJobs(page), started, 'every job started so far is on the timeline (the whole run is the window)');
      assert.equal(await attr(page, 'running'), 64);
      assert.deepEqual((await rowTexts(page, 'running', 0)).slice(0, 3), ['builder1:0', 'builder1:1', 'builder1:2'], 'slots in natural order');
      const bars = await painted(page, '#timeline canvas');
      assert.ok(bars.built.count > 50_000, `${bars.built.count} built pixels`);

      // 6,000 packages depend on the failed core package: the table shows 100, and more on asking.
      assert.equal(await page.getAttribute('#indirect', 'data-rows'), String(DEPENDENTS));
      assert.equal(await page.locator('#indirect tbody tr').count(), 100);
      assert.match((await page.textContent('#indirect-note')) ?? '', /^showing 100 of 6000 matching; search to narrow, or show 100 more$/);
      await page.click('#indirect-note button');
      await until('200 rows', async () => (await page.locator('#indirect tbody tr').count()) === 200);
      assert.deepEqual([...new Set(await rowTexts(page, 'indirect', 3))], [CORE]);
      await page.locator('#failures').scrollIntoViewIfNeeded();
      await until('the failures table', async () => (await rowTexts(page, 'failures', 5))[0] === String(DEPENDENTS)); // the core package breaks every one of them
      await page.locator('#indirect').scrollIntoViewIfNeeded();
      await page.fill('#search', 'cat7/port1');
      await until('a narrower search', async () => Number(await page.getAttribute('#indirect', 'data-rows')) < 100);
      for (const path of await rowTexts(page, 'indirect', 0)) assert.match(path, /^cat7\/port1/);
      await page.fill('#search', '');

      // The rest of the run arrives as updates.
      for (let step = 1; step <= 4; step++) feed(half + ((run.end - half) * step) / 4);
      await until('complete', async () => (await page.textContent('#result')) === 'complete', 30_000);
      await until('every job drawn', async () => (await drawnJobs(page)) === run.jobs, 30_000);
      assert.equal(await attr(page, 'failed'), 1);
      assert.equal(await attr(page, 'running'), 0);
      await page.locator('#packages').scrollIntoViewIfNeeded();
      await until('every package', async () => (await page.getAttribute('#packages', 'data-rows')) === String(PACKAGES));
      assert.equal(await page.locator('#packages tbody tr').count(), 100);
      await page.locator('#timeline').scrollIntoViewIfNeeded();

      // The last hour of the run only; hovering a bar names it.
      await page.click('#timeline-controls button[title="follow the last hour"]');
      await until('a narrower window', async () => (await drawnJobs(page)) < run.jobs / 4);
      assert.match((await page.textContent('#timeline-window')) ?? '', /\(1h00m, following\)$/);
      const lastHour = await painted(page, '#timeline canvas');
      const box = (await page.locator('#timeline canvas').boundingBox())!;
      await page.mouse.move(box.x + lastHour.built.at!.x, box.y + lastHour.built.at!.y);
      await until('a tooltip', async () => /^cat\d+\/port\d+ \(port\d+-1\.\d\) on builder[12]:\d+, .*, built$/.test((await page.textContent('#timeline-tip')) ?? ''));
      assert.ok((await measures(page, 'kiln-timeline')).length > 2, 'the page measures its drawing');
      assert.ok((await measures(page, 'kiln-update')).length > 0, 'and its updates');
      await page.screenshot({ path: join(SHOTS, 'scale-live.png') });
      assert.deepEqual(trouble, []);
    } finally {
      await page.close();
      await server.close();
    }
  });

  void test('report.html of the whole run opens from file:// and draws it', async () => {
    const files = new RunFilesReporter(root, { platform: 'test' });
    for (const e of run.events) files.emit(e);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const trouble = guard(page);
    await page.goto(pathToFileURL(join(root, 'report.html')).href);
    await until('the timeline', async () => (await page.locator('#timeline canvas').count()) === 1, 30_000);
    assert.equal(await drawnJobs(page), run.jobs);
    await page.locator('#indirect').scrollIntoViewIfNeeded();
    await until('the indirect table', async () => (await page.getAttribute('#indirect', 'data-rows')) === String(DEPENDENTS));
    await page.locator('#packages').scrollIntoViewIfNeeded();
    await until('the packages table', async () => (await page.getAttribute('#packages', 'data-rows')) === String(PACKAGES));
    await page.selectOption('#status-filter', 'failed');
    await page.locator('#packages').scrollIntoViewIfNeeded();
    await until('one failed package', async () => (await page.getAttribute('#packages', 'data-rows')) === '1');
    assert.deepEqual(await rowTexts(page, 'packages', 1), [CORE]);
    assert.deepEqual(trouble, []);
    await page.close();
  });
});
