// The live web page: node:http, server-sent events, no framework. It serves
// the page, the run's view as JSON (pushed at most once a second to every
// open page), and the run directory's files (logs, reports) read-only. It is
// fed either as a RunEventSink (`kiln build --web`) or by following the
// run's event log (`kiln serve`).

import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { RunEvent, RunEventSink } from '../core/run-events.js';
import { EventLogFollower, type EventLog } from './event-log.js';
import { pageCsp, pageHtml } from './page/page-html.js';
import { runDirFile } from './run-dir-files.js';
import { RunViewState } from './run-view-state.js';
import { isLoopback, type WebAddress } from './web-address.js';

export interface WebServerOptions {
  /** The run directory: the files the server may show. */
  readonly logdir: string;
  /** Follow this log instead of being fed events (`kiln serve`). */
  readonly log?: EventLog;
  /** Seconds since the epoch; the system clock when not given. */
  readonly clock?: () => number;
  /** Milliseconds between pushes to open pages (and polls of the log). */
  readonly tickMs?: number;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
} as const;

export class WebServer implements RunEventSink {
  private readonly state: RunViewState;
  private readonly follower: EventLogFollower | undefined;
  private readonly clock: () => number;
  private readonly clients = new Set<ServerResponse>();
  private readonly server: Server;
  private timer: NodeJS.Timeout | undefined;
  private dirty = true;
  private address: WebAddress | undefined;
  private lastPushAt = 0;

  constructor(private readonly options: WebServerOptions) {
    this.clock = options.clock ?? ((): number => Date.now() / 1000);
    this.state = new RunViewState({ logdir: options.logdir });
    this.follower = options.log ? new EventLogFollower(options.log, this.state) : undefined;
    this.server = createServer((req, res) => this.handle(req, res));
  }

  emit(event: RunEvent): void {
    this.state.emit(event);
    this.dirty = true;
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

  /** Pushes the last view, ends every stream, and stops listening. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.tick(true);
    for (const client of this.clients) client.end();
    this.clients.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
  }

  private tick(force = false): void {
    if (this.follower && this.follower.poll() > 0) this.dirty = true;
    if (this.clients.size === 0) return;
    // A running build changes every second (elapsed times); a finished one only with new events.
    if (!force && !this.dirty && this.state.finished) {
      if (Date.now() - this.lastPushAt > 15_000) this.broadcast(': keep-alive\n\n');
      return;
    }
    this.dirty = false;
    this.broadcast(`event: view\ndata: ${JSON.stringify(this.view(false))}\n\n`);
  }

  private broadcast(chunk: string): void {
    this.lastPushAt = Date.now();
    for (const client of this.clients) client.write(chunk);
  }

  private view(packages: boolean): ReturnType<RunViewState['view']> {
    return this.state.view(this.clock(), { packages });
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
      case '/api/view':
        this.follower?.poll();
        return this.send(res, 200, 'application/json; charset=utf-8', JSON.stringify(this.view((req.url ?? '').includes('packages=1'))));
      case '/api/packages':
        this.follower?.poll();
        return this.send(res, 200, 'application/json; charset=utf-8', JSON.stringify(this.view(true).packages));
      case '/api/events':
        return this.stream(req, res);
      default:
        return this.file(req, res, path);
    }
  }

  private hostAllowed(header: string | undefined): boolean {
    if (header === undefined || !this.address) return false;
    const name = header.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    return isLoopback(name);
  }

  private stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    this.follower?.poll();
    res.write(`retry: 2000\nevent: view\ndata: ${JSON.stringify(this.view(false))}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
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
