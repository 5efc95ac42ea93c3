// A job's log is bounded (`--log-cap`, 256 MiB by default, as Hydra bounds
// its logs at 64 MiB): the output past the cap is left out, the log says
// where it was cut and, at the end, how much was left out. The job goes on
// and is judged by how it exits, never by its log's size.

import { formatSize, parseSize } from '../formats/size.js';

export const DEFAULT_LOG_CAP = 256 * 2 ** 20;

/** Bytes from `1048576`, `512K`, `256M`, `256MiB`, `1G`; undefined for anything else (or less than 1 KiB). */
export function parseLogCap(text: string): number | undefined {
  const bytes = parseSize(text);
  return bytes !== undefined && Number.isSafeInteger(Math.floor(bytes)) && bytes >= 1024 ? Math.floor(bytes) : undefined;
}

/** What a log has taken of a job's output: bytes kept, bytes left out. */
export class LogBudget {
  kept = 0;
  dropped = 0;

  constructor(readonly cap: number) {}

  /** How many bytes of the next `length` the log keeps; `cut` the first time some are left out (write the cut line then). */
  take(length: number): { readonly keep: number; readonly cut: boolean } {
    const keep = Math.max(0, Math.min(length, this.cap - this.kept));
    const cut = keep < length && this.dropped === 0;
    this.kept += keep;
    this.dropped += length - keep;
    return { keep, cut };
  }
}

/** The line written where the log is cut. */
export function cutLine(cap: number): string {
  return `\n===> kiln: the log is cut here: it reached --log-cap ${formatSize(cap)}; the build goes on and is judged by its exit status\n`;
}

/** The line at the end of a cut log. */
export function leftOutLine(bytes: number): string {
  return `===> kiln: ${bytes} bytes (${formatSize(bytes)}) of output were left out of this log (--log-cap)\n`;
}

/** leftOutLine's line when it ends a text. */
export const LEFT_OUT_AT_END = /===> kiln: \d+ bytes \([^)\n]*\) of output were left out of this log \(--log-cap\)\n$/;
