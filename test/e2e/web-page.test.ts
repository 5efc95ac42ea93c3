// The operator's page in a real headless Chromium: the live page fed by a
// running server while events arrive, then the static report.html from
// file://. The viewport is tall enough to show every section (the long
// tables are worked out only on screen). Screenshots go to out/e2e/ (not
// committed) to be looked at.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { chromium, type Browser, type Page } from 'playwright-core';

import { RunFilesReporter } from '../../src/report/sinks/run-files.js';
import { WebServer } from '../../src/report/sinks/web-server.js';
import { assertNoInjection, guard, LAUNCH, painted, Relay, rowsAre, rowTexts, until } from '../support/page-helpers.js';
import { eventTime, HOSTILE_MAINTAINER, HOSTILE_PKGNAME, RUN_START, sampleRun } from '../support/sample-run.js';

const SHOTS = resolve('out', 'e2e');
const attr = (page: Page, name: string): Promise<string | null> => page.getAttribute('#timeline canvas', `data-${name}`);

/** Every running job shows as building in the packages table, at the same moment. */
async function assertPackagesFollow(page: Page): Promise<void> {
  const running = new Set(await rowTexts(page, 'running', 2));
  const names = await rowTexts(page, 'packages', 1);
  const statuses = await rowTexts(page, 'packages', 2);
  const building = new Set(names.filter((_, i) => statuses[i] === 'building'));
  assert.deepEqual(building, running, 'the packages table has the statuses of the same update');
}

void describe('the operator\'s page in Chromium', () => {
  let browser: Browser;
  const root = mkdtempSync(join(tmpdir(), 'kiln-page-'));
  const events = sampleRun();
  const finish = eventTime(events.at(-1)!);

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
      const page = await browser.newPage({ viewport: { width: 1400, height: 3200 } });
      const trouble = guard(page);
      await page.goto(url);
      await rowsAre(page, 'running', 4);
      assert.deepEqual((await rowTexts(page, 'running', 2)).sort(), ['gettext-tools-0.22.5', 'openssl-3.3.1', 'perl-5.38.2', 'sqlite3-3.46.0']);
      assert.equal(await page.textContent('#result'), 'running');
      assert.equal(await page.textContent('[data-count="queued"] b'), '4');
      await assertPackagesFollow(page);
      // The timeline is a canvas: its running bars are drawn in their colour, and hovering one names it.
      assert.equal(await attr(page, 'running'), '4', 'four running bars on the timeline');
      const bars = await painted(page, '#timeline canvas');
      assert.ok(bars.running.count > 100 && bars.built.count > 100, JSON.stringify(bars));
      const box = (await page.locator('#timeline canvas').boundingBox())!;
      await page.mouse.move(box.x + bars.running.at!.x, box.y + bars.running.at!.y);
      await until('a tooltip naming a running job', async () =>
        /^\S+ \((gettext-tools|openssl|perl|sqlite3)-[\d.]+\) on (localhost|builder2):\d, .*, running$/.test((await page.textContent('#timeline-tip')) ?? ''));
      await page.screenshot({ path: join(SHOTS, 'live-running.png'), fullPage: true });

      // More of the run arrives: the builder2 host is lost, jobs move.
      feed(RUN_START + 470);
      await until('builder2 down', async () => ((await page.textContent('#hosts')) ?? '').includes('builder2 down'));
      await until('two lost jobs', async () => (await attr(page, 'lost')) === '2');
      assert.ok((await painted(page, '#timeline canvas')).lost.count > 50, 'the lost bars are drawn');
      await assertPackagesFollow(page);

      // The rest, in a few steps, as a real run would.
      for (let t = RUN_START + 600; t <= RUN_START + 2400; t += 300) {
        feed(t);
        const minutes = Math.floor((Math.min(t, finish) - RUN_START) / 60);
        await until(`the update of ${t}`, async () => ((await page.textContent('#times')) ?? '').includes(`elapsed ${minutes}m`));
        await assertPackagesFollow(page);
      }
      await until('complete', async () => (await page.textContent('#result')) === 'complete');
      await rowsAre(page, 'packages', 38);
      assert.equal(await attr(page, 'failed'), '5');
      assert.equal(await attr(page, 'running'), '0');

      // Failures: the most breaking first, then sorted by a click, then filtered by a search.
      assert.deepEqual((await rowTexts(page, 'failures', 0)).slice(0, 2).sort(), ['textproc/icu', 'x11/pixman']);
      await page.click('#failures th[data-key="pkgpath"]');
      const ascending = await rowTexts(page, 'failures', 0);
      assert.deepEqual(ascending, [...ascending].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
      assert.equal(await page.getAttribute('#failures th[data-key="pkgpath"]', 'aria-sort'), 'ascending');
      await page.click('#failures th[data-key="pkgpath"]');
      assert.deepEqual(await rowTexts(page, 'failures', 0), [...ascending].reverse());
      await page.click('#failures th[data-key="duration"]');
      const took = await rowTexts(page, 'failures', 9);
      assert.equal(took[0], '31m15s', 'the stuck job took longest');

      const indirect = await rowTexts(page, 'indirect', 0);
      assert.equal(indirect.length, 6, 'the packages that became indirect-failed as the run went');
      assert.deepEqual(indirect, [...indirect].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })), 'in pkgpath order, however they came');
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

  void test('a page whose connection drops catches up from the revision it had; one whose server changed loads a snapshot afresh', async () => {
    let now = RUN_START;
    const serve = async (until: number): Promise<{ server: WebServer; port: number }> => {
      const server = new WebServer({ logdir: root, clock: () => now, tickMs: 100 });
      for (const e of events) if (eventTime(e) <= until) server.emit(e);
      return { server, port: Number(new URL(await server.listen({ host: '127.0.0.1', port: 0 })).port) };
    };
    now = RUN_START + 200;
    const first = await serve(RUN_START + 200);
    const relay = new Relay(first.port);
    const page = await browser.newPage({ viewport: { width: 1400, height: 3200 } });
    const trouble = guard(page);
    const asked: { path: string; lastEventId: Promise<string | undefined> }[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      asked.push({ path: u.pathname + u.search, lastEventId: r.allHeaders().then((h) => h['last-event-id'], () => undefined) });
    });
    let second: { server: WebServer; port: number } | undefined;
    try {
      await page.goto(`http://127.0.0.1:${await relay.listen()}/`);
      await rowsAre(page, 'running', 4);
      // The rows come from the snapshot; the stream is opened right after it.
      await until('the page opened the event stream', () => Promise.resolve(asked.some((a) => a.path.startsWith('/api/events'))));
      const since = /^\/api\/events\?since=([0-9a-f]+)\.(\d+)$/.exec(asked.find((a) => a.path.startsWith('/api/events'))!.path)!;

      // The network drops the page's connections; meanwhile the run goes on.
      asked.length = 0;
      relay.drop();
      for (const e of events) if (eventTime(e) > RUN_START + 200 && eventTime(e) <= RUN_START + 470) first.server.emit(e);
      now = RUN_START + 470;
      await until('builder2 down after reconnecting', async () => ((await page.textContent('#hosts')) ?? '').includes('builder2 down'));
      await until('two lost jobs', async () => (await attr(page, 'lost')) === '2');
      // Playwright may tell of the request a moment after the page shows what it brought.
      await until('the browser opened the stream again', () => Promise.resolve(asked.some((a) => a.path.startsWith('/api/events'))));
      const again = asked.filter((a) => a.path.startsWith('/api/events'));
      const [epoch, rev] = ((await again[0]!.lastEventId) ?? '').split('.');
      assert.equal(epoch, since[1], 'naming the revision it had');
      assert.ok(Number(rev) >= Number(since[2]));
      assert.equal(asked.filter((a) => a.path === '/api/snapshot').length, 0, 'no snapshot: it caught up from the revision it had');
      await assertPackagesFollow(page);

      // The server is another now (kiln serve restarted): revisions of the first mean nothing to it.
      now = RUN_START + 900;
      second = await serve(RUN_START + 900);
      asked.length = 0;
      relay.drop(second.port);
      await until('the second server\'s run', async () => ((await page.textContent('#times')) ?? '').includes('elapsed 15m'));
      assert.equal(asked.filter((a) => a.path === '/api/snapshot').length, 1, 'told to reset, it loaded a snapshot');
      await assertPackagesFollow(page);
      assert.deepEqual(trouble, []);
    } finally {
      await page.close();
      await relay.close();
      await first.server.close();
      await second?.server.close();
    }
  });

  void test('report.html works from file:// with no server: sorts, filters, and stays inert', async () => {
    const files = new RunFilesReporter(root, { platform: 'test' });
    for (const e of sampleRun()) files.emit(e);
    const report = join(root, 'report.html');
    assert.ok(existsSync(report));
    const page = await browser.newPage({ viewport: { width: 1400, height: 3200 } });
    const trouble = guard(page);
    await page.goto(pathToFileURL(report).href);
    await rowsAre(page, 'packages', 38);
    assert.equal(await page.textContent('#result'), 'complete');
    assert.equal(await attr(page, 'built'), '23');
    assert.equal(await attr(page, 'lost'), '2');
    assert.ok((await painted(page, '#timeline canvas')).failed.count > 100);
    assert.match((await page.textContent('#utilisation-average')) ?? '', /^average \d+% of the slots busy in this window$/);
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
