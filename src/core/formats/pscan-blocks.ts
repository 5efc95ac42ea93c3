// pbulk-scan's rule for meta/pscan: the scan output of the ports, in the
// order they were listed, cut into blocks at each line starting with
// `PKGNAME=`; a block whose PKGNAME an earlier block already has is left
// out (pbulk warns "Duplicate package"). A MULTI_VERSION port may give one
// name several times (devel/waf: waf-2.0.2 for each Python), and only the
// first is kept, as pbulk keeps it.

export interface KeptBlocks {
  /** The port's index with later duplicates left out. */
  readonly text: string;
  /** The PKGNAMEs of the blocks left out, in order. */
  readonly dropped: readonly string[];
}

export class FirstPkgnames {
  private readonly seen = new Set<string>();

  /** One port's index blocks (`PKGNAME=` first), filtered against every port's before it. */
  keep(index: string): KeptBlocks {
    const kept: string[] = [];
    const dropped: string[] = [];
    for (const block of blocksOf(index)) {
      const pkgname = block.slice('PKGNAME='.length, block.indexOf('\n') === -1 ? undefined : block.indexOf('\n'));
      if (this.seen.has(pkgname)) {
        dropped.push(pkgname);
        continue;
      }
      this.seen.add(pkgname);
      kept.push(block);
    }
    return { text: kept.join(''), dropped };
  }
}

/** The blocks of an index: each from a `PKGNAME=` line up to the next; anything before the first stays with it. */
function blocksOf(index: string): string[] {
  const starts = [0];
  for (let at = index.indexOf('\nPKGNAME='); at !== -1; at = index.indexOf('\nPKGNAME=', at + 1)) starts.push(at + 1);
  return starts.map((start, i) => index.slice(start, starts[i + 1]));
}
