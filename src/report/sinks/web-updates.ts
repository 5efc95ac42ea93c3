// The live page's stream of updates (server-sent events). Each open page
// has a cursor, the revision it has; once a second it gets what changed
// since (page-delta.ts), with the revision as the event's id, so a page
// that reconnects names where it was (`Last-Event-ID`) and gets only what
// it missed. A page too far behind, or one that knew another server, is
// told `reset` and loads a snapshot afresh; so is one that stops reading.

import type { IncomingMessage, ServerResponse } from 'node:http';

import { encodeUpdate, type EncodedUpdate } from '../view/page-delta.js';
import type { RunViewState } from '../view/run-view-state.js';

export interface UpdateStreamOptions {
  readonly state: RunViewState;
  readonly epoch: string;
  readonly clock: () => number;
  /** Bytes an update should stay under. */
  readonly budget: number;
  /** More changes than this behind: a snapshot is cheaper than updates. */
  readonly resetBacklog: number;
  readonly headers: Readonly<Record<string, string>>;
}

interface Client {
  readonly res: ServerResponse;
  cursor: number;
}

/** Unsent bytes a page may leave queued before it is dropped (it reconnects and catches up). */
const MAX_QUEUED = 4 * 1024 * 1024;

export class UpdateStreams {
  private readonly clients = new Set<Client>();
  private lastWriteAt = 0;

  constructor(private readonly o: UpdateStreamOptions) {}

  get size(): number {
    return this.clients.size;
  }

  /** A page opens its stream, naming the revision it has (`epoch.rev`) in Last-Event-ID or `?since=`. */
  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...this.o.headers, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const header = req.headers['last-event-id'];
    const since = (typeof header === 'string' && header !== '' ? header : undefined)
      ?? new URL(req.url ?? '/', 'http://localhost').searchParams.get('since') ?? '';
    const cursor = this.cursorOf(since);
    if (cursor === undefined || this.o.state.journal.countAfter(cursor) > this.o.resetBacklog) {
      this.reset(res);
      return;
    }
    const client: Client = { res, cursor };
    this.clients.add(client);
    req.on('close', () => this.clients.delete(client));
    this.send(client, new Map());
  }

  /** Sends each page what changed since its cursor; a finished run's pages get only a keep-alive now and then. */
  tick(force = false): void {
    const made = new Map<number, EncodedUpdate>();
    const state = this.o.state;
    for (const client of [...this.clients]) {
      if (client.res.writableLength > MAX_QUEUED) { this.drop(client); continue; }
      if (!force && state.finished && client.cursor === state.rev) {
        if (Date.now() - this.lastWriteAt > 15_000) this.write(client, ': keep-alive\n\n');
        continue;
      }
      if (state.journal.countAfter(client.cursor) > this.o.resetBacklog) { this.drop(client, true); continue; }
      this.send(client, made);
    }
  }

  /** Ends every stream. */
  close(): void {
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  private cursorOf(since: string): number | undefined {
    const match = /^([0-9a-f]+)\.(\d+)$/.exec(since);
    if (!match || match[1] !== this.o.epoch) return undefined;
    const rev = Number(match[2]);
    return rev <= this.o.state.rev ? rev : undefined;
  }

  /** One update per distinct cursor per tick, shared by the pages at it. */
  private send(client: Client, made: Map<number, EncodedUpdate>): void {
    let update = made.get(client.cursor);
    if (!update) {
      update = encodeUpdate(this.o.state, { epoch: this.o.epoch, from: client.cursor, now: this.o.clock(), budget: this.o.budget });
      made.set(client.cursor, update);
    }
    this.write(client, `id: ${this.o.epoch}.${update.to}\nevent: update\ndata: ${update.json}\n\n`);
    client.cursor = update.to;
  }

  private write(client: Client, text: string): void {
    this.lastWriteAt = Date.now();
    client.res.write(text);
  }

  private reset(res: ServerResponse): void {
    res.end(`event: reset\ndata: ${JSON.stringify({ epoch: this.o.epoch, rev: this.o.state.rev })}\n\n`);
  }

  private drop(client: Client, reset = false): void {
    this.clients.delete(client);
    if (reset) this.reset(client.res);
    else client.res.destroy();
  }
}
