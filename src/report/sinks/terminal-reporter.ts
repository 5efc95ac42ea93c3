// The terminal view of `kiln build`. On a TTY: a display redrawn in place at
// most once a second, with failures and messages printed above it as they
// happen. Otherwise (or `plain`): one line per event. Colour unless NO_COLOR
// is set or TERM is dumb.

import type { RunEvent, RunEventSink, StoredEvent } from '../../core/run-events.js';
import { isViewReplay } from './event-log.js';
import { eventLine } from './terminal-events.js';
import { displayWidth } from '../view/display-width.js';
import { fetchSummary } from './terminal-fetches.js';
import { counters, cutToHeight, terminalLines } from './terminal-lines.js';
import { RunViewState } from '../view/run-view-state.js';
import { clockTime, duration, printable } from '../view/text-format.js';

export interface TerminalOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
  /** A TTY stream's 'resize' (SIGWINCH): the display is redrawn for the new size. */
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

export interface TerminalReporterOptions {
  readonly out: TerminalOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** One line per event even on a TTY. */
  readonly plain?: boolean;
  /** Seconds since the epoch; the system clock when not given. */
  readonly clock?: () => number;
  /** Print failures, lost hosts and warnings above the display (default); `kiln status` joining late does not. */
  readonly notes?: boolean;
}

/** Colour is wanted: a TTY, NO_COLOR unset (https://no-color.org), TERM not dumb. */
export function wantsColor(out: TerminalOutput, env: Readonly<Record<string, string | undefined>>): boolean {
  return out.isTTY === true && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}

export class TerminalReporter implements RunEventSink {
  private readonly state = new RunViewState();
  private readonly live: boolean;
  private readonly color: boolean;
  private readonly clock: () => number;
  private readonly pkgpaths = new Map<string, string>();
  private readonly above: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The display's lines on the screen, by their width in columns: how far up the next redraw starts. */
  private drawn: number[] = [];
  private lastDraw = 0;
  private readonly resized = (): void => this.redrawResized();
  private closed = false;

  constructor(private readonly options: TerminalReporterOptions) {
    this.live = options.out.isTTY === true && options.plain !== true;
    this.color = wantsColor(options.out, options.env);
    this.clock = options.clock ?? ((): number => Date.now() / 1000);
    if (this.live) {
      // Checked four times a second; draws only when a second has passed since the last.
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
      options.out.on?.('resize', this.resized);
    }
  }

  emit(event: RunEvent): void {
    this.state.emit(event);
    if (event.type === 'resolved') for (const e of event.entries) this.pkgpaths.set(e.pkgname, e.pkgpath);
    if (event.type === 'job-started') this.pkgpaths.set(event.job.pkgname, event.job.pkgpath);
    if (!this.live) {
      const line = eventLine(event, { pkgpathOf: (n) => this.pkgpaths.get(n) });
      if (line !== undefined) this.options.out.write(line + '\n');
      if (event.type === 'run-finished') this.options.out.write(this.finalLines());
      return;
    }
    const note = this.options.notes === false ? undefined : this.noteworthy(event);
    if (note !== undefined) this.above.push(note);
    if (event.type === 'run-finished') this.close();
  }

  /** A resumed run's earlier jobs: shown on the display, never printed as new lines. */
  replay(run: number, stored: () => Iterable<StoredEvent>): void {
    for (const s of stored()) {
      if (!isViewReplay(run, s)) continue;
      this.state.emit(s.event);
      if (s.event.type === 'job-started') this.pkgpaths.set(s.event.job.pkgname, s.event.job.pkgpath);
    }
  }

  /** Draws the final state and stops redrawing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.options.out.off?.('resize', this.resized);
    if (this.live) this.draw(true);
  }

  /** What a pipe or cron mail ends with: the counts and where the reports are. */
  private finalLines(): string {
    const view = this.state.view(this.clock(), { tables: false });
    const logdir = printable(view.logdir);
    const fetched = fetchSummary(view);
    return `${counters(view)}${fetched === undefined ? '' : `  ${fetched}`}\nreport: ${logdir}/report.txt, ${logdir}/report.html\n`;
  }

  /** Lines that stay above the display: failures, lost hosts, messages. */
  private noteworthy(event: RunEvent): string | undefined {
    const paint = (text: string, sgr: string): string => (this.color ? `\u001b[${sgr}m${text}\u001b[0m` : text);
    if (event.type === 'job-ended' && event.outcome.kind === 'failed') {
      return paint(`${clockTime(event.at)} FAILED ${printable(event.job.pkgpath)} on ${printable(event.job.host)} after ${duration(event.durationS)}: `
        + `${printable(event.outcome.phase)}, ${printable(event.outcome.error)} (${printable(event.log)})`, '31');
    }
    if (event.type === 'host' && event.state === 'down') {
      return paint(`${clockTime(event.at)} host ${printable(event.host)} down: ${printable(event.reason ?? '')}`, '31');
    }
    if (event.type === 'message' && event.level !== 'info') {
      return paint(`${clockTime(event.at)} ${event.level}: ${printable(event.text)}`, event.level === 'error' ? '31' : '33');
    }
    if (event.type === 'space') return paint(`${clockTime(event.at)} warning: ${printable(event.reason)}`, '33');
    return undefined;
  }

  /** Redraws in place: up over the last display, the new lines above it, then the display. At most once a second, but for the last. */
  private draw(force = false): void {
    if (!force && Date.now() - this.lastDraw < 1000) return;
    const width = Math.max(20, (this.options.out.columns ?? 80) - 1);
    const all = terminalLines(this.state.view(this.clock(), { tables: false }), { width, color: this.color });
    const lines = cutToHeight(all, this.options.out.rows ?? 24);
    let text = this.drawn.length > 0 ? `\u001b[${this.drawn.length}A\r\u001b[J` : '';
    for (const line of this.above.splice(0)) text += line + '\n';
    for (const line of lines) text += line + '\u001b[K\n';
    this.options.out.write(text);
    // From the end of this write: a slow draw does not bring the next one closer.
    this.lastDraw = Date.now();
    this.drawn = lines.map((l) => displayWidth(l.replace(/\u001b\[[0-9;]*m/g, '')));
  }

  /**
   * A new size: a terminal that rewraps its lines (tmux, VTE) made each line
   * of the last display as many rows as it now takes, so the redraw goes up
   * over all of them.
   */
  private redrawResized(): void {
    if (this.closed) return;
    const columns = Math.max(1, this.options.out.columns ?? 80);
    this.drawn = this.drawn.flatMap((w) => Array<number>(Math.max(1, Math.ceil(w / columns))).fill(Math.min(w, columns)));
    this.draw(true);
  }
}
