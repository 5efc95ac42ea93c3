// Which packages and timeline bars changed at which revision, so an update
// can hold only what changed since the revision a page has. Every change
// appends an entry; an entry is live while its record's revision still
// equals the entry's (a later change appended a newer entry). A package's
// name, path and maintainer have entries of their own (`static`), live
// while they stay as they are: an update that goes past one has sent the
// package whole, so a page knows every package whose static entry it has
// passed, even when its later changes wait for the next update. Dead entries are
// dropped once they outnumber the records, so the journal stays about as
// long as the run has packages and bars, and any revision can still be
// answered.

export type JournalKind = 'package' | 'bar' | 'static';
const KINDS: readonly JournalKind[] = ['package', 'bar', 'static'];

export interface JournalEntry {
  readonly rev: number;
  readonly kind: JournalKind;
  readonly index: number;
}

export class ViewJournal {
  private revs: number[] = [];
  private refs: number[] = [];

  /** Answers the live revision of a record: compaction keeps an entry only when it matches. */
  constructor(private readonly liveRev: (kind: JournalKind, index: number) => number | undefined) {}

  get length(): number {
    return this.revs.length;
  }

  /** Notes that a record changed at `rev` (revisions only grow). */
  note(kind: JournalKind, index: number, rev: number, records: number): void {
    this.revs.push(rev);
    this.refs.push(index * 4 + KINDS.indexOf(kind));
    if (this.revs.length > 2 * records + 4096) this.compact();
  }

  /** How many entries come after `rev`: an upper bound of the records changed since. */
  countAfter(rev: number): number {
    return this.revs.length - this.firstAfter(rev);
  }

  /** The live entries after `rev`, oldest first. */
  *after(rev: number): Generator<JournalEntry> {
    for (let i = this.firstAfter(rev); i < this.revs.length; i++) {
      const entryRev = this.revs[i]!;
      const ref = this.refs[i]!;
      const kind = KINDS[ref % 4]!;
      const index = Math.floor(ref / 4);
      if (this.liveRev(kind, index) === entryRev) yield { rev: entryRev, kind, index };
    }
  }

  private firstAfter(rev: number): number {
    let lo = 0;
    let hi = this.revs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.revs[mid]! <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compact(): void {
    const revs: number[] = [];
    const refs: number[] = [];
    for (let i = 0; i < this.revs.length; i++) {
      const ref = this.refs[i]!;
      if (this.liveRev(KINDS[ref % 4]!, Math.floor(ref / 4)) !== this.revs[i]) continue;
      revs.push(this.revs[i]!);
      refs.push(ref);
    }
    this.revs = revs;
    this.refs = refs;
  }
}
