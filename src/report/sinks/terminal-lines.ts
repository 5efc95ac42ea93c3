// What the terminal shows of a run, as lines: the run and its ETA, the
// counters, the hosts, and one line per running job (slot, pkgpath, phase,
// elapsed, log size against last time, "unchanged for" when the log stops
// growing), or the scan's progress while scanning. Pure: `kiln build` on a
// TTY redraws these, `kiln status` prints them.

import { formatSize } from '../../core/formats/size.js';
import { charWidth, displayWidth, padEndCols } from '../view/display-width.js';
import type { RunView } from '../view/run-view.js';
import { clockTime, duration, printable } from '../view/text-format.js';
import { fetchLines } from './terminal-fetches.js';

export interface TerminalStyle {
  /** Columns; lines are cut to fit (by display width: a wide character takes two) so a redraw never wraps. */
  readonly width: number;
  readonly color: boolean;
}

const SGR = { red: '31', yellow: '33', green: '32', blue: '34', bold: '1', dim: '2' } as const;
type Tone = keyof typeof SGR;

export function terminalLines(view: RunView, style: TerminalStyle): string[] {
  const paint = (text: string, tone: Tone): string => (style.color ? `\u001b[${SGR[tone]}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  lines.push(headline(view, paint));
  if (!view.resolved) {
    const scan = view.scan;
    lines.push(scan ? `scanning ${scan.scanned}/${scan.total} ports (${scan.cached} cached, ${scan.errors} errors)` : 'starting');
    return lines.map((l) => fit(l, style.width));
  }
  lines.push(counters(view, paint));
  lines.push(`hosts: ${view.hosts.length === 0 ? 'none yet' : view.hosts.map((h) => {
    const load = h.load === undefined || h.state !== 'up' ? '' : ` load ${h.load.loadPerCore.toFixed(2)}`;
    const text = `${printable(h.name)} ${h.state} ${h.busy}/${h.slots}${h.class === undefined ? '' : ` [${printable(h.class)}]`}${h.where === undefined ? '' : ` [${printable(h.where)}]`}${load}${h.reason === undefined ? '' : ` (${printable(h.reason)})`}${h.checked === undefined ? '' : ` {${printable(h.checked)}}`}`;
    return h.state === 'down' || h.state === 'quarantined' ? paint(text, 'red') : h.state === 'up' ? text : paint(text, 'yellow');
  }).join('  ')}`);
  for (const reason of view.spaceShort) lines.push(paint(printable(reason), 'red'));
  const slotWidth = Math.max(0, ...view.running.map((j) => displayWidth(printable(`${j.host}:${j.slot}`))));
  const pathWidth = Math.min(32, Math.max(0, ...view.running.map((j) => displayWidth(printable(j.pkgpath)))));
  for (const job of view.running) {
    const growth = job.logPercent === undefined ? formatSize(job.logBytes).padStart(10) : `${job.logPercent}%`.padStart(5);
    let line = `${padEndCols(printable(`${job.host}:${job.slot}`), slotWidth)} ${padEndCols(printable(job.pkgpath), pathWidth)} `
      + `${padEndCols(printable(job.phase), 9)} ${duration(job.elapsedS).padStart(6)} ${growth}`;
    if (job.attempt > 1) line += ` attempt ${job.attempt}`;
    if (job.stuck) line += ` ${paint(`unchanged for ${duration(job.idleS)}`, 'yellow')}`;
    lines.push(line);
  }
  lines.push(...fetchLines(view));
  return lines.map((l) => fit(l, style.width));
}

/**
 * The display cut to a terminal of `rows` rows: one row stays free for the
 * cursor (a display as tall as the screen scrolls, and the next redraw
 * leaves a copy of its top); the jobs that do not fit are counted on a last
 * "+N more" line. The run, counters and hosts come first and stay.
 */
export function cutToHeight(lines: readonly string[], rows: number): string[] {
  const room = Math.max(2, rows - 1);
  if (lines.length <= room) return [...lines];
  const keep = room - 1;
  return [...lines.slice(0, keep), `+${lines.length - keep} more`];
}

function headline(view: RunView, paint: (t: string, tone: Tone) => string): string {
  const parts = [`kiln ${printable(view.run)}`];
  const result = view.result === 'running' ? paint('running', 'blue') : view.result === 'complete' ? paint('complete', 'green') : paint(view.result, 'yellow');
  parts.push(result);
  if (view.startedAt !== undefined) parts.push(`elapsed ${duration((view.finishedAt ?? view.now) - view.startedAt)}`);
  if (view.eta) parts.push(`ETA ${clockTime(view.eta.at)} (in ${duration(view.eta.remainingS)}, ${view.eta.basis})`);
  return parts.join('  ');
}

/** The run's counts on one line: the display's second line, and the last line of a run printed without a TTY. */
export function counters(view: RunView, paint: (t: string, tone: Tone) => string = (t) => t): string {
  const s = view.counts.byStatus;
  const indirect = s['indirect-failed'] + s['indirect-prefailed'];
  const parts = [
    `built ${s.done}`, `up-to-date ${s['up-to-date']}`, `running ${s.building}`, `queued ${view.counts.queued}`,
    `waiting ${view.counts.waiting}`,
    s.failed > 0 ? paint(`failed ${s.failed}`, 'red') : `failed ${s.failed}`,
    s.prefailed > 0 ? paint(`prefailed ${s.prefailed}`, 'red') : `prefailed ${s.prefailed}`,
    indirect > 0 ? paint(`indirect ${indirect}`, 'yellow') : `indirect ${indirect}`,
    `total ${view.counts.total}`,
  ];
  return parts.join('  ');
}

/** Cuts a line to `width` columns, counting wide characters as two, keeping colour sequences whole and closed. */
export function fit(line: string, width: number): string {
  let visible = 0;
  let out = '';
  let cut = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\u001b') {
      const end = line.indexOf('m', i);
      if (end < 0) break;
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(i)!);
    const w = charWidth(char);
    if (visible + w > width) { cut = true; break; }
    out += char;
    visible += w;
    i += char.length - 1;
  }
  return cut && /\u001b\[/.test(out) ? `${out}\u001b[0m` : out;
}
