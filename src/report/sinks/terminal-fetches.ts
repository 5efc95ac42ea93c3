// The fetch jobs as the terminal and the end of a run show them: a line per
// distfile coming now (file, site, bytes of its size, rate), and what the
// run fetched in all.

import { formatSize } from '../../core/formats/size.js';
import { padEndCols } from '../view/display-width.js';
import type { RunView } from '../view/run-view.js';
import { duration, printable } from '../view/text-format.js';

/** `fetched 3 files, 1.4 MiB in 4s (1 failed)`, or undefined when the run fetched nothing. */
export function fetchSummary(view: RunView): string | undefined {
  const f = view.fetches;
  if (f.fetched + f.failed === 0) return undefined;
  const failed = f.failed > 0 ? ` (${f.failed} failed)` : '';
  return `fetched ${f.fetched} file${f.fetched === 1 ? '' : 's'}, ${formatSize(f.bytes)} in ${duration(f.seconds)}${failed}`;
}

/** One line per running fetch, then what the run fetched so far (nothing for a run that fetched nothing). */
export function fetchLines(view: RunView): string[] {
  const running = view.fetches.running;
  const nameWidth = Math.min(32, Math.max(0, ...running.map((f) => printable(f.name).length)));
  const lines = running.map((f) => fetchLine(f, nameWidth));
  const summary = fetchSummary(view);
  return summary === undefined ? lines : [...lines, summary];
}

/** A running fetch as it is coming: `fetch NAME SITE 512 KiB/1.4 MiB 300 KiB/s 2s`. */
export interface FetchComing {
  readonly name: string;
  readonly site: string;
  readonly bytes: number;
  readonly size: number;
  /** Bytes per second since it began. */
  readonly rate: number;
  readonly elapsedS: number;
}

export function fetchLine(f: FetchComing, nameWidth = 0): string {
  return `fetch ${padEndCols(printable(f.name), nameWidth)} ${printable(f.site)} `
    + `${formatSize(f.bytes)}/${formatSize(f.size)} ${formatSize(Math.round(f.rate))}/s ${duration(f.elapsedS)}`;
}
