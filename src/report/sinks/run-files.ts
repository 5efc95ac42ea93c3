// The run directory's files, written from events: build.log and engine.log as
// the run goes, report.json, report.txt and report.html when it ends (and
// whenever writeReports is called, say on an interrupted run). A resumed run
// makes build.log and engine.log again from the store before it appends: a
// killed coordinator may have stored an event it never wrote there, and
// each event is in them once however often the run was killed.

import { appendFileSync, closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

import type { RunEvent, RunEventSink, StoredEvent } from '../../core/run-events.js';
import { BuildLog } from './build-log.js';
import { isViewReplay } from './event-log.js';
import { engineLogLine } from './log-lines.js';
import { encodeUpdate } from '../view/page-delta.js';
import { pageHtml } from './page-html.js';
import { reportJson } from './report-json.js';
import { reportTxt, type TxtOptions } from './report-txt.js';
import { RunViewState } from '../view/run-view-state.js';
import type { RunView } from '../view/run-view.js';

export interface RunFilesOptions {
  /** What report.txt says of the platform; the coordinator's when not given. */
  readonly platform?: string;
}

export class RunFilesReporter implements RunEventSink {
  private readonly state: RunViewState;
  private buildLog: BuildLog;

  constructor(private readonly logdir: string, private readonly options: RunFilesOptions = {}) {
    mkdirSync(logdir, { recursive: true });
    this.state = new RunViewState({ logdir });
    this.buildLog = this.appendingBuildLog();
  }

  emit(event: RunEvent): void {
    this.state.emit(event);
    const line = engineLogLine(event);
    if (line !== undefined) appendFileSync(join(this.logdir, 'engine.log'), line + '\n');
    this.buildLog.emit(event);
    if (event.type === 'run-finished') this.writeReports(event.at);
  }

  /** Makes build.log and engine.log again from every stored event (under temporary names, then renamed); the reports' view takes this run's jobs. */
  replay(run: number, stored: () => Iterable<StoredEvent>): void {
    const files = { build: new LineFile(join(this.logdir, 'build.log')), engine: new LineFile(join(this.logdir, 'engine.log')) };
    try {
      const rebuilt = new BuildLog((line) => files.build.add(line), (log) => this.sizeOf(log));
      for (const s of stored()) {
        const line = engineLogLine(s.event);
        if (line !== undefined) files.engine.add(line);
        rebuilt.emit(s.event);
        if (isViewReplay(run, s)) this.state.emit(s.event);
      }
      files.build.commit();
      files.engine.commit();
    } finally {
      files.build.discard();
      files.engine.discard();
    }
    this.buildLog = this.appendingBuildLog();
  }

  private appendingBuildLog(): BuildLog {
    return new BuildLog((line) => appendFileSync(join(this.logdir, 'build.log'), line + '\n'), (log) => this.sizeOf(log));
  }

  /** Writes report.json, report.txt and report.html as of `now`; returns the view they show. */
  writeReports(now: number): RunView {
    const view = this.state.view(now);
    const snapshot = encodeUpdate(this.state, { epoch: 'report', from: 0, now }).json;
    writeReportFiles(this.logdir, view, snapshot, this.options);
    return view;
  }

  private sizeOf(log: string): number | undefined {
    try {
      return statSync(isAbsolute(log) ? log : join(this.logdir, log)).size;
    } catch {
      return undefined;
    }
  }
}

/** The three report files of a view (report.html holds the page's snapshot), each written whole under a temporary name, then renamed. */
export function writeReportFiles(logdir: string, view: RunView, snapshot: string, options: TxtOptions = {}): void {
  atomicWrite(join(logdir, 'report.json'), JSON.stringify(reportJson(view), null, 1) + '\n');
  atomicWrite(join(logdir, 'report.txt'), reportTxt(view, options));
  atomicWrite(join(logdir, 'report.html'), pageHtml(snapshot));
}

function atomicWrite(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** A line file made again whole: lines gathered under a temporary name, written in large pieces, renamed over the file by `commit`. */
class LineFile {
  private readonly temporary: string;
  private readonly fd: number;
  private pending: string[] = [];
  private size = 0;
  private open = true;

  constructor(private readonly file: string) {
    this.temporary = `${file}.${process.pid}.tmp`;
    this.fd = openSync(this.temporary, 'w');
  }

  add(line: string): void {
    this.pending.push(line);
    this.size += line.length + 1;
    if (this.size >= 1 << 20) this.flush();
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    this.open = false;
    renameSync(this.temporary, this.file);
  }

  /** Closes and removes the temporary file if it was not committed. */
  discard(): void {
    if (!this.open) return;
    this.open = false;
    closeSync(this.fd);
    rmSync(this.temporary, { force: true });
  }

  private flush(): void {
    if (this.pending.length > 0) writeSync(this.fd, this.pending.join('\n') + '\n');
    this.pending = [];
    this.size = 0;
  }
}
