// What `kiln scan` writes while it scans: the index blocks in the tree's
// order (sorted by pkgpath, as pbulk's pscan), each as soon as every port
// before it is done, a block whose PKGNAME an earlier one has left out as
// pbulk's scan leaves it out (core/formats/pscan-blocks.ts), so a whole-tree scan streams rather than printing
// everything at its end; and its progress on stderr: a line redrawn in place
// on a terminal, otherwise a line every few seconds (a CI log, cron mail).

import type { PkgPath } from '../core/model.js';
import { FirstPkgnames } from '../core/formats/pscan-blocks.js';
import type { ScannedPort, ScanProgress } from '../ports/scanner.js';

const byPkgpath = (a: PkgPath, b: PkgPath): number => (a < b ? -1 : a > b ? 1 : 0);

/** Seconds between progress lines when stderr is not a terminal. */
const LINE_EVERY_S = 5;

export class OrderedIndex {
  #order: readonly PkgPath[] | undefined;
  #next = 0;
  readonly #waiting = new Map<PkgPath, string>();
  readonly #first = new FirstPkgnames();
  /** The blocks left out, as `pkgname (pkgpath)`. */
  readonly dropped: string[] = [];

  constructor(private readonly write: (text: string) => void) {}

  /** The whole tree's ports: from now on each block is written once those before it are. */
  listed(pkgpaths: readonly PkgPath[]): void {
    this.#order = [...pkgpaths].sort(byPkgpath);
  }

  add(port: Pick<ScannedPort, 'pkgpath' | 'index'>): void {
    this.#waiting.set(port.pkgpath, port.index);
    const order = this.#order;
    if (!order) return;
    for (; this.#next < order.length && this.#waiting.has(order[this.#next]!); this.#next++) {
      const pkgpath = order[this.#next]!;
      this.emit(pkgpath, this.#waiting.get(pkgpath)!);
      this.#waiting.delete(pkgpath);
    }
  }

  /** The scan is over: what is left (all of a closure scan's ports), in order. */
  end(): void {
    for (const pkgpath of [...this.#waiting.keys()].sort(byPkgpath)) this.emit(pkgpath, this.#waiting.get(pkgpath)!);
    this.#waiting.clear();
  }

  private emit(pkgpath: PkgPath, index: string): void {
    const kept = this.#first.keep(index);
    for (const pkgname of kept.dropped) this.dropped.push(`${pkgname} (${pkgpath})`);
    this.write(kept.text);
  }
}

export class ScanProgressLine {
  #shown = 0;
  #drawn = false;
  #latest: ScanProgress | undefined;
  #printed: ScanProgress | undefined;
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(private readonly err: { write(text: string): unknown }, private readonly tty: boolean) {
    if (tty) return;
    // Not a terminal: every few seconds, the progress if there was any since the last line (a quick scan says nothing).
    this.#timer = setInterval(() => {
      if (this.#latest === undefined || this.#latest === this.#printed) return;
      this.#printed = this.#latest;
      this.err.write(`${progressLine(this.#latest)}\n`);
    }, LINE_EVERY_S * 1000);
    this.#timer.unref();
  }

  update(progress: ScanProgress): void {
    this.#latest = progress;
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.#shown <= 100 && progress.scanned !== progress.total) return;
    this.#shown = now;
    this.err.write(`\r\x1b[K${progressLine(progress)}`);
    this.#drawn = true;
  }

  /** Before another line on stderr: the terminal's progress line is cleared. */
  clear(): void {
    if (this.tty && this.#drawn) this.err.write('\r\x1b[K');
    this.#drawn = false;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.clear();
  }
}

function progressLine(progress: ScanProgress): string {
  return `kiln scan: ${progress.scanned}/${progress.total} ports` +
    (progress.cached > 0 ? `, ${progress.cached} cached` : '') + (progress.errors > 0 ? `, ${progress.errors} unscannable` : '');
}
