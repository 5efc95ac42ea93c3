// Hooks: commands the operator names, run when a run starts, when it ends,
// and when a package fails to build, for mail and chat as poudriere's hooks
// are used. Each is an argv run without a shell; what the run knows goes
// into the environment only (KILN_*), so port metadata is never parsed as a
// command. Output goes to the run directory's hooks.log; a hook that hangs is
// killed after a timeout. Hooks never hold the build up.

import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

import type { RunEvent, RunEventSink } from '../../core/run-events.js';
import { failureRow } from '../view/run-view-build.js';
import { RunViewState } from '../view/run-view-state.js';
import { isoTime } from '../view/text-format.js';

export interface HookCommands {
  readonly start?: readonly string[];
  readonly end?: readonly string[];
  readonly failed?: readonly string[];
}

export interface HookRunnerOptions {
  readonly hooks: HookCommands;
  readonly logdir: string;
  /** The environment hooks inherit, before KILN_* is added. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
}

export type HookName = 'run-start' | 'run-end' | 'package-failed';

/** `--hook-failed 'notify-chat --room builds'`: split at blanks into argv, no shell, no quoting. */
export function splitCommand(text: string): string[] {
  return text.trim().split(/\s+/).filter((word) => word !== '');
}

export class HookRunner implements RunEventSink {
  private readonly state: RunViewState;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: HookRunnerOptions) {
    this.state = new RunViewState({ logdir: options.logdir });
  }

  emit(event: RunEvent): void {
    this.state.emit(event);
    const hooks = this.options.hooks;
    if (event.type === 'run-started' && hooks.start) this.run('run-start', hooks.start, this.runEnv());
    if (event.type === 'status' && event.change.status === 'failed' && event.change.job !== undefined && hooks.failed) {
      const pkgname = event.change.pkgname;
      const argv = hooks.failed;
      // The packages it breaks are marked by the events that follow in the same step: count them after.
      const defer = new Promise<void>((resolve) => setImmediate(() => {
        this.run('package-failed', argv, this.packageEnv(pkgname));
        resolve();
      }));
      this.track(defer);
    }
    if (event.type === 'run-finished' && hooks.end) this.run('run-end', hooks.end, this.endEnv());
  }

  /** Resolves when every hook started so far has ended: await it before exiting. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private runEnv(): Record<string, string> {
    const view = this.state.view(this.state.latest, { tables: false });
    return { KILN_RUN: view.run, KILN_LOGDIR: this.options.logdir, KILN_TREE: view.tree };
  }

  private packageEnv(pkgname: string): Record<string, string> {
    const record = this.state.packageNamed(pkgname);
    const row = record === undefined ? undefined : failureRow(record, this.state.breaks.get(pkgname) ?? 0);
    return {
      ...this.runEnv(),
      KILN_PKGNAME: pkgname,
      KILN_PKGPATH: row?.pkgpath ?? '',
      KILN_PHASE: row?.phase ?? '',
      KILN_ERROR: row?.error ?? '',
      KILN_REASON: row?.reason ?? '',
      KILN_BREAKS: String(row?.breaks ?? 0),
      KILN_MAINTAINER: row?.maintainer ?? '',
      KILN_HOST: row?.host ?? '',
      KILN_LOG: row?.log === undefined ? '' : isAbsolute(row.log) ? row.log : join(this.options.logdir, row.log),
    };
  }

  private endEnv(): Record<string, string> {
    const view = this.state.view(this.state.latest, { tables: false });
    const s = view.counts.byStatus;
    return {
      ...this.runEnv(),
      KILN_RESULT: view.result,
      KILN_TOTAL: String(view.counts.total),
      KILN_BUILT: String(s.done),
      KILN_UP_TO_DATE: String(s['up-to-date']),
      KILN_FAILED: String(s.failed),
      KILN_PREFAILED: String(s.prefailed),
      KILN_INDIRECT: String(s['indirect-failed'] + s['indirect-prefailed']),
      KILN_REPORT: join(this.options.logdir, 'report.txt'),
    };
  }

  private run(name: HookName, argv: readonly string[], vars: Record<string, string>): void {
    const [program, ...args] = argv;
    if (program === undefined) return;
    const logFile = join(this.options.logdir, 'hooks.log');
    appendFileSync(logFile, `${isoTime(Date.now() / 1000)} ${name}: ${JSON.stringify(argv)}\n`);
    const fd = openSync(logFile, 'a');
    const env = { ...this.options.env, ...vars, KILN_EVENT: name };
    const done = new Promise<void>((resolve) => {
      const child = spawn(program, args, { env, stdio: ['ignore', fd, fd], shell: false });
      closeSync(fd);
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }, this.options.timeoutMs ?? 60_000);
      let finished = false;
      const finish = (how: string): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        appendFileSync(logFile, `${isoTime(Date.now() / 1000)} ${name}: ${how}\n`);
        resolve();
      };
      child.on('error', (err) => finish(`could not run: ${err.message}`));
      child.on('exit', (code, signal) => finish(signal === null ? `exit status ${code ?? 0}` : `killed by ${signal}`));
    });
    this.track(done);
  }

  private track(promise: Promise<void>): void {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise));
  }
}
