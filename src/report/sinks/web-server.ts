// The live web page: node:http, server-sent events, no framework. It serves
// the page, a snapshot of the run for a page that loads (api/snapshot), then
// once a second what changed since (api/events, web-updates.ts), and the run
// directory's files (logs, reports) read-only. It is fed either as a
// RunEventSink (`kiln build --web`), or by following one run's event log, or
// the whole run directory (`kiln serve`): then `/` is always its latest run,
// a new run taking over the open pages, and `/runs/N/` each earlier one.

import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { RunEvent, RunEventSink, StoredEvent } from '../../core/run-events.js';
import type { EventLog, RunDirectory } from './event-log.js';
import { pageCsp, pageHtml } from './page-html.js';
import { runDirFile } from './run-dir-files.js';
import { RunPage } from './run-page.js';
import type { WaitingRecord } from '../../store/waiting-record.js';
import type { HostLoadRecord } from '../../store/host-load-record.js';
import { isLoopback, isLoopbackHostHeader, type WebAddress } from './web-address.js';

export interface WebServerOptions {
  /** The run directory: the files the server may show. */
  readonly logdir: string;
  /** Follow this log instead of being fed events. */
  readonly log?: EventLog;
  /** Follow the run directory's runs: `/` its latest, `/runs/N/` any (`kiln serve`). */
  readonly runs?: RunDirectory;
  /** Seconds since the epoch; the system clock when not given. */
  readonly clock?: () => number;
  /** Milliseconds between pushes to open pages (and polls of the log). */
  readonly tickMs?: number;
  /** Bytes a pushed update should stay under (64 KiB less room for the event's framing). */
  readonly updateBytes?: number;
  /** Changes behind after which a page is told to load a snapshot instead of catching up. */
  readonly resetBacklog?: number;
  /** What the running build's engine last said of its queued packages, for the Why column of `/`; `runs` says it when not given. */
  readonly waiting?: () => WaitingRecord | undefined;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
} as const;
const JSON_TYPE = 'application/json; charset=utf-8';
/** Pages of earlier runs kept at once (each a folded run); the least recently asked goes first. */
const KEEP_EARLIER = 4;

export class WebServer implements RunEventSink {
  private readonly clock: () => number;
  private readonly server: Server;
  /** The page of `/`: the run fed in, the followed log's, or the run directory's latest run. */
  private current: RunPage;
  private currentRun: number | undefined;
  private readonly earlier = new Map<number, RunPage>();
  private timer: NodeJS.Timeout | undefined;
  private address: WebAddress | undefined;

  constructor(private readonly options: WebServerOptions) {
    this.clock = options.clock ?? ((): number => Date.now() / 1000);
    this.currentRun = options.runs?.runs().at(-1)?.id;
    this.current = this.page(options.runs && this.currentRun !== undefined ? options.runs.log(this.currentRun) : options.log, true);
    this.server = createServer((req, res) => this.handle(req, res));
  }

  emit(event: RunEvent): void {
    this.current.emit(event);
  }

  replay(run: number, stored: () => Iterable<StoredEvent>): void {
    this.current.replay(run, stored);
  }

  /** Starts listening; returns the page's URL. */
  async listen(address: WebAddress): Promise<string> {
    this.current.follow();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(address.port, address.host, () => { this.server.off('error', reject); resolve(); });
    });
    const bound = this.server.address() as AddressInfo;
    this.address = { host: address.host, port: bound.port };
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 1000);
    this.timer.unref();
    return this.url;
  }

  get url(): string {
    if (!this.address) throw new Error('web server: not listening');
    const host = this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host;
    return `http://${host}:${this.address.port}/`;
  }

  /** Pushes the last changes, ends every stream, and stops listening. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.current.close();
    for (const page of this.earlier.values()) page.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
  }

  /** The page of a run; the latest one's open packages say why they wait. */
  private page(log: EventLog | undefined, latest = false): RunPage {
    const runs = this.options.runs;
    const waiting = this.options.waiting ?? (runs && ((): WaitingRecord | undefined => runs.waiting()));
    return new RunPage({
      logdir: this.options.logdir, clock: this.clock, updateBytes: this.options.updateBytes ?? 63 * 1024,
      resetBacklog: this.options.resetBacklog ?? 20_000, headers: SECURITY_HEADERS, ...(log !== undefined && { log }),
      ...(latest && runs?.loads && { loads: (): HostLoadRecord | undefined => runs.loads?.() }),
      ...(latest && waiting && {
        waiting: (): WaitingRecord | undefined => {
          const record = waiting();
          return record && (this.currentRun === undefined || record.run === this.currentRun) ? record : undefined;
        },
      }),
    });
  }

  /**
   * Pushes to open pages. Nothing is read for a page nobody has open (each
   * request reads for itself), nor for an earlier run that finished: only the
   * latest run can be resumed.
   */
  private tick(force = false): void {
    if (this.current.viewers > 0) this.followLatest();
    this.current.tick(force);
    for (const page of this.earlier.values()) {
      if (page.state.finished) page.push(force);
      else page.tick(force);
    }
  }

  /** A new run in the run directory becomes the page of `/`; its pages are told to load it (their streams end, and the epoch changed). */
  private followLatest(): void {
    const runs = this.options.runs;
    const latest = runs?.runs().at(-1)?.id;
    if (!runs || latest === undefined || latest === this.currentRun) return;
    this.current.close();
    this.currentRun = latest;
    this.current = this.page(runs.log(latest), true);
    this.current.follow();
  }

  /** The page of an earlier run (`/runs/N/`), folded once and kept a while. */
  private pageOf(run: number): RunPage | undefined {
    const runs = this.options.runs;
    if (!runs) return undefined;
    if (run === this.currentRun) return this.current;
    let page = this.earlier.get(run);
    if (page) {
      this.earlier.delete(run);
    } else {
      if (!runs.runs().some((r) => r.id === run)) return undefined;
      page = this.page(runs.log(run));
    }
    this.earlier.set(run, page);
    for (const [old, oldPage] of this.earlier) {
      if (this.earlier.size <= KEEP_EARLIER) break;
      oldPage.close();
      this.earlier.delete(old);
    }
    return page;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.fail(res, 405, 'only GET and HEAD');
    if (this.address && isLoopback(this.address.host) && !this.hostAllowed(req.headers.host)) {
      return this.fail(res, 421, 'this server answers only to its loopback address');
    }
    let path = (req.url ?? '/').split('?')[0] ?? '/';
    this.followLatest();
    let page = this.current;
    const earlier = /^\/runs\/(\d{1,9})(\/.*)?$/.exec(path);
    if (earlier) {
      const found = this.pageOf(Number(earlier[1]));
      if (!found) return this.fail(res, 404, `no run ${earlier[1]} in this run directory`);
      // The page's own requests are relative: it must be at .../runs/N/.
      if (earlier[2] === undefined) return this.redirect(res, `/runs/${earlier[1]}/`);
      page = found;
      path = earlier[2];
    }
    switch (path) {
      case '/':
      case '/index.html':
        return this.send(res, 200, 'text/html; charset=utf-8', pageHtml(), { 'Content-Security-Policy': pageCsp(true) });
      case '/api/snapshot':
        return page.sendSnapshot(req, res, (status, why) => this.fail(res, status, why));
      case '/api/events':
        return page.openStream(req, res);
      case '/api/view':
        return page.sendView(res, 'view');
      case '/api/packages':
        return page.sendView(res, 'packages');
      case '/metrics':
        return page.sendMetrics(res);
      case '/api/runs':
        return this.send(res, 200, JSON_TYPE, JSON.stringify((this.options.runs?.runs() ?? []).map((r) => ({ ...r, page: `/runs/${r.id}/` }))));
      default:
        return this.file(req, res, path);
    }
  }

  private hostAllowed(header: string | undefined): boolean {
    return header !== undefined && isLoopbackHostHeader(header);
  }

  private file(req: IncomingMessage, res: ServerResponse, path: string): void {
    const found = runDirFile(this.options.logdir, path);
    if (!found.ok) return this.fail(res, found.status, found.why);
    const extra = found.contentType.startsWith('text/html') ? { 'Content-Security-Policy': pageCsp(false) } : {};
    res.writeHead(200, { ...SECURITY_HEADERS, ...extra, 'Content-Type': found.contentType, 'Content-Length': found.size });
    if (req.method === 'HEAD' || found.size === 0) { res.end(); return; }
    createReadStream(found.file, { start: 0, end: Math.max(0, found.size - 1) })
      .on('error', () => res.destroy())
      .pipe(res);
  }

  private send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...SECURITY_HEADERS, ...extra, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private redirect(res: ServerResponse, to: string): void {
    res.writeHead(308, { ...SECURITY_HEADERS, Location: to, 'Content-Length': 0 });
    res.end();
  }

  private fail(res: ServerResponse, status: number, why: string): void {
    this.send(res, status, 'text/plain; charset=utf-8', `${status}: ${why}\n`);
  }
}
