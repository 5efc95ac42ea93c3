// Which packages and timeline bars changed at which revision, so an update
// can hold only what changed since the revision a page has. Every change
// appends an entry; an entry is live while its record's `rev` still equals
// the entry's (a later change appended a newer entry). Dead entries are
// dropped once they outnumber the records, so the journal stays about as
// long as the run has packages and bars, and any revision can still be
// answered.

export type JournalKind = 'package' | 'bar';

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
    this.refs.push(index * 2 + (kind === 'bar' ? 1 : 0));
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
      const kind: JournalKind = ref % 2 === 1 ? 'bar' : 'package';
      const index = Math.floor(ref / 2);
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
      if (this.liveRev(ref % 2 === 1 ? 'bar' : 'package', Math.floor(ref / 2)) !== this.revs[i]) continue;
      revs.push(this.revs[i]!);
      refs.push(ref);
    }
    this.revs = revs;
    this.refs = refs;
  }
}
