// The live web page: node:http, server-sent events, no framework. It serves
// the page, a snapshot of the run for a page that loads (api/snapshot), then
// once a second what changed since (api/events, web-updates.ts), and the run
// directory's files (logs, reports) read-only. It is fed either as a
// RunEventSink (`kiln build --web`) or by following the run's event log
// (`kiln serve`).

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

import type { RunEvent, RunEventSink } from '../core/run-events.js';
import { EventLogFollower, type EventLog } from './event-log.js';
import { pageCsp, pageHtml } from './page/page-html.js';
import { encodeUpdate } from './page-delta.js';
import { runDirFile } from './run-dir-files.js';
import { RunViewState } from './run-view-state.js';
import { isLoopback, isLoopbackHostHeader, type WebAddress } from './web-address.js';
import { UpdateStreams } from './web-updates.js';

const gzipAsync = promisify(gzip);

export interface WebServerOptions {
  /** The run directory: the files the server may show. */
  readonly logdir: string;
  /** Follow this log instead of being fed events (`kiln serve`). */
  readonly log?: EventLog;
  /** Seconds since the epoch; the system clock when not given. */
  readonly clock?: () => number;
  /** Milliseconds between pushes to open pages (and polls of the log). */
  readonly tickMs?: number;
  /** Bytes a pushed update should stay under (64 KiB less room for the event's framing). */
  readonly updateBytes?: number;
  /** Changes behind after which a page is told to load a snapshot instead of catching up. */
  readonly resetBacklog?: number;
}

interface Snapshot {
  readonly rev: number;
  readonly second: number;
  readonly json: string;
  gzipped: Promise<Buffer> | undefined;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
} as const;
const JSON_TYPE = 'application/json; charset=utf-8';

export class WebServer implements RunEventSink {
  private readonly state: RunViewState;
  private readonly follower: EventLogFollower | undefined;
  private readonly clock: () => number;
  private readonly streams: UpdateStreams;
  private readonly server: Server;
  private readonly epoch = randomBytes(6).toString('hex');
  private timer: NodeJS.Timeout | undefined;
  private address: WebAddress | undefined;
  private snapshot: Snapshot | undefined;

  constructor(private readonly options: WebServerOptions) {
    this.clock = options.clock ?? ((): number => Date.now() / 1000);
    this.state = new RunViewState({ logdir: options.logdir });
    this.follower = options.log ? new EventLogFollower(options.log, this.state) : undefined;
    this.streams = new UpdateStreams({
      state: this.state, epoch: this.epoch, clock: this.clock, budget: options.updateBytes ?? 63 * 1024,
      resetBacklog: options.resetBacklog ?? 20_000, headers: SECURITY_HEADERS,
    });
    this.server = createServer((req, res) => this.handle(req, res));
  }

  emit(event: RunEvent): void {
    this.state.emit(event);
  }

  /** Starts listening; returns the page's URL. */
  async listen(address: WebAddress): Promise<string> {
    this.follower?.poll();
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
    this.tick(true);
    this.streams.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
  }

  private tick(force = false): void {
    this.follower?.poll();
    if (this.streams.size === 0) return;
    this.streams.tick(force);
    // The ETA's pass over the graph, after the pages have their update: the next one shows it.
    setImmediate(() => this.state.refreshEta(this.clock()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.fail(res, 405, 'only GET and HEAD');
    if (this.address && isLoopback(this.address.host) && !this.hostAllowed(req.headers.host)) {
      return this.fail(res, 421, 'this server answers only to its loopback address');
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    switch (path) {
      case '/':
      case '/index.html':
        return this.send(res, 200, 'text/html; charset=utf-8', pageHtml(), { 'Content-Security-Policy': pageCsp(true) });
      case '/api/snapshot':
        this.follower?.poll();
        return this.sendSnapshot(req, res);
      case '/api/events':
        this.follower?.poll();
        return this.streams.open(req, res);
      case '/api/view':
        this.follower?.poll();
        return this.send(res, 200, JSON_TYPE, JSON.stringify(this.state.view(this.clock(), { tables: false })));
      case '/api/packages':
        this.follower?.poll();
        return this.send(res, 200, JSON_TYPE, JSON.stringify(this.state.view(this.clock()).packages));
      default:
        return this.file(req, res, path);
    }
  }

  private hostAllowed(header: string | undefined): boolean {
    return header !== undefined && isLoopbackHostHeader(header);
  }

  /** Every row of the run, as one update from revision 0; made once per revision and second, gzipped when the page accepts it. */
  private sendSnapshot(req: IncomingMessage, res: ServerResponse): void {
    const now = this.clock();
    let snapshot = this.snapshot;
    if (!snapshot || snapshot.rev !== this.state.rev || snapshot.second !== Math.floor(now)) {
      snapshot = { rev: this.state.rev, second: Math.floor(now), json: encodeUpdate(this.state, { epoch: this.epoch, from: 0, now }).json, gzipped: undefined };
      this.snapshot = snapshot;
    }
    if (!/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return this.send(res, 200, JSON_TYPE, snapshot.json);
    snapshot.gzipped ??= gzipAsync(snapshot.json, { level: 4 });
    snapshot.gzipped.then((body) => {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    }, () => this.fail(res, 500, 'could not compress the snapshot'));
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

  private fail(res: ServerResponse, status: number, why: string): void {
    this.send(res, status, 'text/plain; charset=utf-8', `${status}: ${why}\n`);
  }
}
