// What the web server keeps of one run: its folded state, the pages that
// follow it (server-sent updates, web-updates.ts) and the snapshot a page
// loads first. Fed as a RunEventSink (`kiln build --web`) or by following
// the run's stored events (`kiln serve`), whose running jobs' logs it then
// measures itself (live-logs.ts).

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

import type { PkgName, Status } from '../../core/model.js';
import type { RunEvent, RunEventSink, StoredEvent } from '../../core/run-events.js';
import { EventLogFollower, isViewReplay, type EventLog } from './event-log.js';
import type { HostLoadRecord } from '../../store/host-load-record.js';
import { measuredNow } from './live-logs.js';
import { METRICS_CONTENT_TYPE, metricsText } from './metrics.js';
import { encodeUpdate } from '../view/page-delta.js';
import { RunViewState } from '../view/run-view-state.js';
import type { WaitingRecord } from '../../store/waiting-record.js';
import { dependencyWait, engineWait } from '../view/waiting.js';
import { UpdateStreams } from './web-updates.js';

const gzipAsync = promisify(gzip);
const JSON_TYPE = 'application/json; charset=utf-8';

export interface RunPageOptions {
  readonly logdir: string;
  /** Follow this log instead of being fed events. */
  readonly log?: EventLog;
  readonly clock: () => number;
  readonly updateBytes: number;
  readonly resetBacklog: number;
  readonly headers: Readonly<Record<string, string>>;
  /** What the running build's engine last said of its queued packages (the run's store). */
  readonly waiting?: () => WaitingRecord | undefined;
  /** What the running build last kept of its hosts' loads (the run's store), for a page that follows a log. */
  readonly loads?: () => HostLoadRecord | undefined;
}

interface Snapshot {
  readonly rev: number;
  readonly second: number;
  readonly json: string;
  gzipped: Promise<Buffer> | undefined;
}

export class RunPage implements RunEventSink {
  readonly state: RunViewState;
  /** Changes with every RunPage: a page that knew another run (or server) loads a snapshot afresh. */
  private readonly epoch = randomBytes(6).toString('hex');
  private readonly follower: EventLogFollower | undefined;
  private readonly streams: UpdateStreams;
  private snapshot: Snapshot | undefined;
  /** The revision and engine record the Why column was last worked out at. */
  private waitingSeen = '';

  constructor(private readonly o: RunPageOptions) {
    this.state = new RunViewState({ logdir: o.logdir });
    this.follower = o.log ? new EventLogFollower(o.log, this.state) : undefined;
    this.streams = new UpdateStreams({
      state: this.state, epoch: this.epoch, clock: o.clock, budget: o.updateBytes, resetBacklog: o.resetBacklog, headers: o.headers,
    });
  }

  emit(event: RunEvent): void {
    this.state.emit(event);
  }

  /** A resumed run's earlier jobs, for the page. */
  replay(run: number, stored: () => Iterable<StoredEvent>): void {
    for (const s of stored()) if (isViewReplay(run, s)) this.state.emit(s.event);
  }

  /** Reads what the followed log has new, and measures the running jobs' logs (the log holds no progress); then why the open packages wait. */
  follow(): void {
    if (this.follower) {
      this.follower.poll();
      for (const event of measuredNow(this.state, this.o.clock(), this.o.loads?.())) this.state.emit(event);
    }
    this.noteWaiting();
  }

  /** The Why column of open packages, as `kiln why` says it; worked out again only when something changed. */
  private noteWaiting(): void {
    if (!this.o.waiting) return;
    const record = this.state.finished ? undefined : this.o.waiting();
    const seen = `${this.state.rev}:${this.state.finished}:${record?.at}`;
    if (seen === this.waitingSeen) return;
    // A dependency the run does not hold is built (isBuilt).
    const statusOf = (pkgname: PkgName): Status => this.state.packageNamed(pkgname)?.status ?? 'done';
    this.state.noteWaiting((r) => (this.state.finished ? undefined
      : dependencyWait(r.info.depends, statusOf) ?? engineWait(record, r.info.pkgpath, r.info.pkgname)));
    this.waitingSeen = `${this.state.rev}:${this.state.finished}:${record?.at}`;
  }

  /** Pages following this run (streams open). */
  get viewers(): number {
    return this.streams.size;
  }

  /** Reads what the run has new and sends it to open pages; with none open it reads nothing (each request follows the run itself). */
  tick(force = false): void {
    if (this.streams.size === 0) return;
    this.follow();
    this.push(force);
  }

  /** Sends open pages what changed, reading nothing (a finished earlier run has nothing more); then works the ETA out again for the next update. */
  push(force = false): void {
    if (this.streams.size === 0) return;
    this.streams.tick(force);
    setImmediate(() => this.state.refreshEta(this.o.clock()));
  }

  close(): void {
    this.tick(true);
    this.streams.close();
  }

  openStream(req: IncomingMessage, res: ServerResponse): void {
    this.follow();
    this.streams.open(req, res);
  }

  /** Every row of the run, as one update from revision 0; made once per revision and second, gzipped when the page accepts it. */
  sendSnapshot(req: IncomingMessage, res: ServerResponse, fail: (status: number, why: string) => void): void {
    this.follow();
    const now = this.o.clock();
    let snapshot = this.snapshot;
    if (!snapshot || snapshot.rev !== this.state.rev || snapshot.second !== Math.floor(now)) {
      snapshot = { rev: this.state.rev, second: Math.floor(now), json: encodeUpdate(this.state, { epoch: this.epoch, from: 0, now }).json, gzipped: undefined };
      this.snapshot = snapshot;
    }
    if (!/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return this.send(res, snapshot.json);
    snapshot.gzipped ??= gzipAsync(snapshot.json, { level: 4 });
    snapshot.gzipped.then((body) => {
      res.writeHead(200, { ...this.o.headers, 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    }, () => fail(500, 'could not compress the snapshot'));
  }

  /** `/api/view` (no tables) or `/api/packages`. */
  sendView(res: ServerResponse, what: 'view' | 'packages'): void {
    this.follow();
    const now = this.o.clock();
    this.send(res, JSON.stringify(what === 'view' ? this.state.view(now, { tables: false }) : this.state.view(now).packages));
  }

  /** `/metrics`: Prometheus' text format. */
  sendMetrics(res: ServerResponse): void {
    this.follow();
    this.send(res, metricsText(this.state, this.o.clock()), METRICS_CONTENT_TYPE);
  }

  private send(res: ServerResponse, body: string, type = JSON_TYPE): void {
    res.writeHead(200, { ...this.o.headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}
