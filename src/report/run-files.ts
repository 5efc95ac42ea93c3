// The run directory's files, written from events: build.log and engine.log as
// the run goes, report.json, report.txt and report.html when it ends (and
// whenever writeReports is called, say on an interrupted run).

import { appendFileSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

import type { RunEvent, RunEventSink } from '../core/run-events.js';
import { BuildLog } from './build-log.js';
import { engineLogLine } from './log-lines.js';
import { encodeUpdate } from './page-delta.js';
import { pageHtml } from './page/page-html.js';
import { reportJson } from './report-json.js';
import { reportTxt, type TxtOptions } from './report-txt.js';
import { RunViewState } from './run-view-state.js';
import type { RunView } from './run-view.js';

export interface RunFilesOptions {
  /** What report.txt says of the platform; the coordinator's when not given. */
  readonly platform?: string;
}

export class RunFilesReporter implements RunEventSink {
  private readonly state: RunViewState;
  private readonly buildLog: BuildLog;

  constructor(private readonly logdir: string, private readonly options: RunFilesOptions = {}) {
    mkdirSync(logdir, { recursive: true });
    this.state = new RunViewState({ logdir });
    this.buildLog = new BuildLog((line) => appendFileSync(join(logdir, 'build.log'), line + '\n'), (log) => this.sizeOf(log));
  }

  emit(event: RunEvent): void {
    this.state.emit(event);
    const line = engineLogLine(event);
    if (line !== undefined) appendFileSync(join(this.logdir, 'engine.log'), line + '\n');
    this.buildLog.emit(event);
    if (event.type === 'run-finished') this.writeReports(event.at);
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
