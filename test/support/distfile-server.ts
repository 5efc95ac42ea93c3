// A distfile server for the fetch tests: node:http on 127.0.0.1 only, on a
// port of its own, serving `/<site>/<name>` as each (site, name) is told to
// answer: the file, 404, a corrupt copy of the same size, the file cut
// half-way on the first request (then Range requests honoured), or the
// file throttled. It counts every request.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer =
  | { readonly kind: 'serve'; readonly body: Buffer }
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt'; readonly body: Buffer }
  /** Sends half of it, then drops the connection, the first time; the whole or the asked range after. */
  | { readonly kind: 'cut'; readonly body: Buffer }
  /** Sends it at about `bytesPerS`. */
  | { readonly kind: 'slow'; readonly body: Buffer; readonly bytesPerS: number };

export interface Request {
  readonly site: string;
  readonly name: string;
  readonly range: string | undefined;
}

export class DistfileServer {
  readonly requests: Request[] = [];
  /** The most requests answered at once, per site and in all. */
  readonly most = new Map<string, number>();
  mostInAll = 0;
  /** When each name was last sent whole (seconds since the epoch). */
  readonly sent = new Map<string, number>();
  private readonly open = new Map<string, number>();
  private readonly answers = new Map<string, Answer>();
  private readonly cutOnce = new Set<string>();
  private server: Server | undefined;
  private port = 0;

  /** `site` answers `name` so; a name not set is missing. */
  set(site: string, name: string, answer: Answer): void {
    this.answers.set(`${site}/${name}`, answer);
  }

  url(site: string): string {
    return `http://127.0.0.1:${this.port}/${site}/`;
  }

  requestsFor(name: string): Request[] {
    return this.requests.filter((r) => r.name === name);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const [, site = '', ...rest] = (req.url ?? '').split('/');
      const name = rest.join('/');
      const range = req.headers.range;
      this.requests.push({ site, name, range });
      this.open.set(site, (this.open.get(site) ?? 0) + 1);
      this.most.set(site, Math.max(this.most.get(site) ?? 0, this.open.get(site)!));
      this.mostInAll = Math.max(this.mostInAll, [...this.open.values()].reduce((a, b) => a + b, 0));
      res.on('close', () => this.open.set(site, this.open.get(site)! - 1));
      res.on('finish', () => this.sent.set(name, Date.now() / 1000));
      const answer = this.answers.get(`${site}/${name}`) ?? { kind: 'missing' };
      if (answer.kind === 'missing') {
        res.writeHead(404).end('not here');
        return;
      }
      let body = answer.kind === 'corrupt' ? Buffer.from(answer.body.map((b) => b ^ 0xff)) : answer.body;
      const key = `${site}/${name}`;
      if (answer.kind === 'cut' && !this.cutOnce.has(key)) {
        this.cutOnce.add(key);
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 20));
        return;
      }
      const from = /^bytes=(\d+)-$/.exec(range ?? '');
      if (from && answer.kind === 'cut') {
        const start = Number(from[1]);
        res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
        res.end(body.subarray(start));
        return;
      }
      res.writeHead(200, { 'content-length': body.length });
      if (answer.kind !== 'slow') {
        res.end(body);
        return;
      }
      const chunk = Math.max(1, Math.floor(answer.bytesPerS / 20));
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        const piece = body.subarray(0, chunk);
        body = body.subarray(chunk);
        if (body.length > 0) return void res.write(piece);
        clearInterval(timer);
        res.end(piece);
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
