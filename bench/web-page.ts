// The operator's page in headless Chromium at the scale of a whole pkgsrc
// tree (bench/web-replay.ts: 28,509 packages, 64 slots). The page measures
// its own work (performance.measure: loading a snapshot, applying and
// drawing an update, drawing the timeline); this prints what it measured:
//   - the live page loaded at half the run, then following it for a while,
//     fed ten simulated seconds each real second (updates ten times fuller
//     than a real run's);
//   - the whole run's timeline (every job) drawn, several times;
//   - perl failing: 23,000 packages become indirect-failed at once, caught
//     up by updates of 64 KiB, with the indirect table off screen and on
//     (the server would have the page load a snapshot instead; measured too);
//   - report.html of the whole run opened from file://.
//
//   npm run bench:web-page [-- --follow SECONDS]

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { chromium, type Browser, type Page } from 'playwright-core';

import type { RunEvent } from '../src/core/run-events.js';
import { encodeUpdate } from '../src/report/view/page-delta.js';
import { pageHtml } from '../src/report/sinks/page-html.js';
import { RunViewState } from '../src/report/view/run-view-state.js';
import { WebServer } from '../src/report/sinks/web-server.js';
import { LAUNCH, measures, until } from '../test/support/page-helpers.js';
import { wholeTreeReplay } from './web-replay.js';

const { values } = parseArgs({ options: { follow: { type: 'string', default: '30' }, only: { type: 'string' } } });
const FOLLOW_S = Number(values.follow);
const SPEED = 10;
const ms = (v: number): string => `${v.toFixed(1)} ms`;
const mib = (n: number): string => `${(n / 2 ** 20).toFixed(2)} MiB`;
const quantile = (list: readonly number[], p: number): number => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(list.length * p))] ?? 0;
const summary = (list: readonly number[]): string => `${list.length} times: median ${ms(quantile(list, 0.5))}, p90 ${ms(quantile(list, 0.9))}, most ${ms(Math.max(...list))}`;
const verdict = (list: readonly number[], limit: number): string => `target ≤ ${limit} ms: ${Math.max(...list) <= limit ? 'met' : 'MISSED'}`;
const sleep = (t: number): Promise<void> => new Promise((r) => setTimeout(r, t));

/** The replay's events, second by second, as one list with each second's end. */
function recorded(failing?: string): { steps: { at: number; events: RunEvent[] }[]; packages: number } {
  const replay = wholeTreeReplay({ slots: 64, ...(failing !== undefined && { failing }) });
  return { steps: [...replay.steps()], packages: replay.packages };
}

async function open(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(url);
  return page;
}

async function live(browser: Browser): Promise<void> {
  const { steps, packages } = recorded();
  let now = steps[0]!.at;
  let next = 0;
  const root = mkdtempSync(join(tmpdir(), 'kiln-bench-page-'));
  const server = new WebServer({ logdir: root, clock: () => now });
  const feed = (count: number): void => {
    for (const end = Math.min(steps.length, next + count); next < end; next++) {
      for (const e of steps[next]!.events) server.emit(e);
      now = steps[next]!.at;
    }
  };
  feed(Math.floor(steps.length / 2));
  const page = await open(browser, await server.listen({ host: '127.0.0.1', port: 0 }));
  await until('the snapshot', async () => (await measures(page, 'kiln-load')).length > 0, 60_000);
  const [load] = await measures(page, 'kiln-load');
  const [apply] = await measures(page, 'kiln-apply-snapshot');
  const [render] = await measures(page, 'kiln-render');
  const [firstDraw] = await measures(page, 'kiln-timeline');
  console.log(`live page, ${packages} packages, loaded at half the run (${next} of ${steps.length} s):`);
  console.log(`  snapshot fetched, applied and drawn in ${ms(load!)} (applying ${ms(apply!)}, the first render ${ms(render!)}, of it the timeline ${ms(firstDraw!)})`);

  const before = (await measures(page, 'kiln-update')).length;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async (): Promise<Record<string, number>> => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const m0 = await metrics();
  for (let s = 0; s < FOLLOW_S; s++) { feed(SPEED); await sleep(1000); }
  const m1 = await metrics();
  const perSecond = (key: string): string => ms(((m1[key]! - m0[key]!) / FOLLOW_S) * 1000);
  const updates = (await measures(page, 'kiln-update')).slice(before);
  const draws = (await measures(page, 'kiln-timeline')).slice(-updates.length);
  const painted = (await measures(page, 'kiln-update-painted')).slice(-updates.length);
  console.log(`  following ${FOLLOW_S} s, ${SPEED} simulated seconds each: an update applied and drawn ${summary(updates)} — ${verdict(updates, 50)}`);
  console.log(`    until the next frame was painted (the browser's style, layout and paint too): ${summary(painted)}`);
  console.log(`    of which the timeline (whole run so far, ${await page.getAttribute('#timeline canvas', 'data-built')} jobs built): ${summary(draws)}`);
  console.log(`    the page's main thread, per second (Chromium's own counters): busy ${perSecond('TaskDuration')}, of it script ${perSecond('ScriptDuration')},`
    + ` layout ${perSecond('LayoutDuration')}, style ${perSecond('RecalcStyleDuration')}; ${m1['Nodes']} DOM nodes`);

  feed(steps.length);
  await until('complete', async () => (await page.textContent('#result')) === 'complete', 120_000);
  await sleep(1500);
  const drawn = (await measures(page, 'kiln-timeline')).length;
  for (let i = 0; i < 10; i++) await page.click('#timeline-controls button[title="show the whole run"]');
  const full = (await measures(page, 'kiln-timeline')).slice(drawn);
  console.log(`the whole run's timeline (${await page.getAttribute('#timeline canvas', 'data-built')} jobs on 64 slots) drawn ${summary(full)} — ${verdict(full, 500)}`);
  await page.screenshot({ path: join(root, 'whole.png') });
  await page.close();
  await server.close();
  rmSync(root, { recursive: true, force: true });
}

async function burst(browser: Browser): Promise<void> {
  const { steps } = recorded('perl');
  const fails = steps.findIndex((s) => s.events.some((e) => e.type === 'status' && e.change.status === 'indirect-failed'));
  const indirect = steps[fails]!.events.filter((e) => e.type === 'status' && e.change.status === 'indirect-failed').length;
  const cases = [
    { label: 'caught up by updates, the tables off screen', resetBacklog: Infinity, look: false },
    { label: 'caught up by updates, the indirect table on screen', resetBacklog: Infinity, look: true },
    { label: 'as the server does it (over 20,000 changes behind: load a snapshot)', resetBacklog: undefined, look: true },
  ];
  console.log(`perl fails: ${indirect} packages become indirect-failed at once`);
  for (const c of cases) {
    let now = steps[0]!.at;
    const root = mkdtempSync(join(tmpdir(), 'kiln-bench-page-'));
    const server = new WebServer({ logdir: root, clock: () => now, ...(c.resetBacklog !== undefined && { resetBacklog: c.resetBacklog }) });
    for (const step of steps.slice(0, fails)) { for (const e of step.events) server.emit(e); now = step.at; }
    const page = await open(browser, await server.listen({ host: '127.0.0.1', port: 0 }));
    await until('the snapshot', async () => (await measures(page, 'kiln-load')).length > 0, 60_000);
    if (c.look) await page.locator('#indirect').scrollIntoViewIfNeeded();
    await sleep(500);
    const before = (await measures(page, 'kiln-update')).length;
    const loadsBefore = (await measures(page, 'kiln-load')).length;
    for (const e of steps[fails]!.events) server.emit(e);
    now = steps[fails]!.at;
    await until('the indirect failures', async () => Number(await page.textContent('[data-count="indirect"] b')) >= indirect
      && (await page.textContent('#behind')) === '' && (!c.look || Number(await page.getAttribute('#indirect', 'data-rows')) >= indirect), 120_000);
    if (c.resetBacklog === Infinity) {
      const updates = (await measures(page, 'kiln-update')).slice(before);
      const painted = (await measures(page, 'kiln-update-painted')).slice(-updates.length);
      console.log(`  ${c.label}: an update applied and drawn ${summary(updates)} — ${verdict(updates, 50)}`);
      console.log(`    until the next frame was painted: ${summary(painted)}`);
      const table = (await measures(page, 'kiln-table-indirect')).slice(-updates.length);
      if (c.look) console.log(`    of which the indirect table: ${summary(table)}`);
    } else {
      const loads = (await measures(page, 'kiln-load')).slice(loadsBefore);
      console.log(`  ${c.label}: loaded again in ${loads.map(ms).join(', ')}`);
    }
    await page.close();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

async function report(browser: Browser): Promise<void> {
  const { steps, packages } = recorded();
  const state = new RunViewState({ logdir: '/var/kiln' });
  for (const step of steps) for (const e of step.events) state.emit(e);
  const root = mkdtempSync(join(tmpdir(), 'kiln-bench-report-'));
  const html = pageHtml(encodeUpdate(state, { epoch: 'report', from: 0, now: steps.at(-1)!.at }).json);
  writeFileSync(join(root, 'report.html'), html);
  const opened: number[] = [];
  const inPage: number[] = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    const t0 = performance.now();
    await page.goto(pathToFileURL(join(root, 'report.html')).href);
    await until('drawn', async () => (await page.locator('#timeline canvas').count()) === 1, 60_000);
    opened.push(performance.now() - t0);
    inPage.push((await measures(page, 'kiln-apply-snapshot'))[0]! + (await measures(page, 'kiln-render'))[0]!);
    await page.close();
  }
  console.log(`report.html of the whole run (${packages} packages, ${mib(Buffer.byteLength(html))}) from file://: opened and drawn ${summary(opened)};`
    + ` the page's own part (parse, apply, render) ${summary(inPage)}`);
  rmSync(root, { recursive: true, force: true });
}

const browser = await chromium.launch(LAUNCH);
try {
  console.log(`headless Chromium ${browser.version()}; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
  const only = values.only;
  if (only === undefined || only === 'live') await live(browser);
  if (only === undefined || only === 'burst') await burst(browser);
  if (only === undefined || only === 'report') await report(browser);
} finally {
  await browser.close();
}
