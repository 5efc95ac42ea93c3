// A job's log is bounded (`--log-cap`, 256 MiB by default, as Hydra bounds
// its logs at 64 MiB): the output past the cap is left out, the log says
// where it was cut and, at the end, how much was left out. The job goes on
// and is judged by how it exits, never by its log's size.

export const DEFAULT_LOG_CAP = 256 * 2 ** 20;

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Bytes from `1048576`, `512K`, `256M`, `256MiB`, `1G`; undefined for anything else (or less than 1 KiB). */
export function parseLogCap(text: string): number | undefined {
  const match = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * UNITS[match[2]!.toLowerCase()]!;
  return Number.isSafeInteger(bytes) && bytes >= 1024 ? bytes : undefined;
}

/** A size as the marker lines say it: `256 MiB`, `1.5 GiB`, `4096 bytes`. */
export function capText(bytes: number): string {
  for (const [unit, size] of [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
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
  return `\n===> kiln: the log is cut here: it reached --log-cap ${capText(cap)}; the build goes on and is judged by its exit status\n`;
}

/** The line at the end of a cut log. */
export function leftOutLine(bytes: number): string {
  return `===> kiln: ${bytes} bytes (${capText(bytes)}) of output were left out of this log (--log-cap)\n`;
}
