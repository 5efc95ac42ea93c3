// What the Chromium tests of the operator's page share: the browser's
// flags, a guard against anything hostile metadata could make the page do,
// waiting from outside (the page's policy forbids evaluating strings, so
// Playwright's waitForFunction cannot run there), reading tables and the
// timeline's canvas, and a TCP relay that can drop the page's connections.

import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';

import type { Page } from 'playwright-core';

export const LAUNCH = {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
};

export const COLOURS = { built: [0x2e, 0x7d, 0x32], failed: [0xc6, 0x28, 0x28], running: [0x15, 0x65, 0xc0], lost: [0x9e, 0x9e, 0x9e] } as const;
export type BarColour = keyof typeof COLOURS;

/** Watches a page for anything hostile metadata could make it do. */
export function guard(page: Page): string[] {
  const trouble: string[] = [];
  page.on('dialog', (d) => { trouble.push(`dialog: ${d.message()}`); void d.dismiss(); });
  page.on('pageerror', (e) => trouble.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!/^(http:\/\/127\.0\.0\.1|file:|data:)/.test(r.url())) trouble.push(`request: ${r.url()}`); });
  return trouble;
}

export async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function rowTexts(page: Page, table: string, column: number): Promise<string[]> {
  return page.locator(`#${table} tbody tr td:nth-child(${column + 1})`).allTextContents();
}

export const rowsAre = (page: Page, table: string, n: number): Promise<void> =>
  until(`${n} rows in #${table}`, async () => (await page.locator(`#${table} tbody tr`).count()) === n);

export async function assertNoInjection(page: Page): Promise<void> {
  assert.equal(await page.locator('img').count(), 0, 'no <img> from metadata');
  assert.equal(await page.locator('script:not([type="application/json"])').count(), 1, 'only the page\'s own script');
}

export interface Painted {
  /** Pixels of the colour. */
  readonly count: number;
  /** A pixel of it with the same colour left and right of it (not an edge), in CSS pixels of the canvas, if any. */
  readonly at: { readonly x: number; readonly y: number } | undefined;
}

/** The little of the DOM the evaluated functions use (the project compiles without the DOM's types). */
interface CanvasLike {
  readonly width: number;
  readonly height: number;
  readonly clientWidth: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
type InPage = typeof globalThis & { document: { querySelector(selector: string): CanvasLike | null } };

/** What the canvas at `selector` shows of each bar colour, read from its pixels. */
export async function painted(page: Page, selector: string): Promise<Record<BarColour, Painted>> {
  return page.evaluate(({ selector, colours }) => {
    const canvas = (globalThis as InPage).document.querySelector(selector)!;
    const { width, height } = canvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
    const scale = width / canvas.clientWidth;
    const out: Record<string, { count: number; at: { x: number; y: number } | undefined }> = {};
    for (const [name, [r, g, b]] of Object.entries(colours)) {
      let count = 0;
      let at: { x: number; y: number } | undefined;
      const is = (p: number): boolean => data[p] === r && data[p + 1] === g && data[p + 2] === b && data[p + 3] === 255;
      for (let p = 0; p < data.length; p += 4) {
        if (!is(p)) continue;
        count++;
        const x = (p / 4) % width;
        if (at === undefined && x > 0 && x < width - 1 && is(p - 4) && is(p + 4)) at = { x: x / scale, y: Math.floor(p / 4 / width) / scale };
      }
      out[name] = { count, at };
    }
    return out;
  }, { selector, colours: COLOURS });
}

/** Durations of the page's own measures (performance.measure) of one name, oldest first. */
export async function measures(page: Page, name: string): Promise<number[]> {
  return page.evaluate((n) => performance.getEntriesByName(n, 'measure').map((m) => m.duration), name);
}

/** A TCP relay to a server on 127.0.0.1, whose connections the test can drop, or send elsewhere from then on. */
export class Relay {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private target: number) {
    this.server = createServer((client) => {
      const upstream = connect(this.target, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  /** Drops every open connection, as a network blip would; new ones go to `target` when given. */
  drop(target?: number): void {
    if (target !== undefined) this.target = target;
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
