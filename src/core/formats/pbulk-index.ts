// pbulk-index format: KEY=VALUE lines, one block per package, each block
// starting with PKGNAME=. What `bmake pbulk-index` prints, pbulk's `pscan`
// and (with a DEPENDS= line added) `presolve`. Both tree drivers speak it.

export interface IndexEntry {
  readonly pkgname: string;
  /** Every KEY=VALUE of the block, in order, PKGNAME included. */
  readonly vars: ReadonlyMap<string, string>;
  /** The block as it was read, lines joined with newlines, ending in one. */
  readonly raw: string;
  /** 1-based line of its PKGNAME=. */
  readonly line: number;
}

/** A line that is not KEY=VALUE, or comes before any PKGNAME=. */
export interface IndexError {
  readonly line: number;
  readonly text: string;
  readonly message: string;
}

export interface Dependency {
  /** A pkgsrc pattern: `gmake>=3.81`, `{a,b}-[0-9]*`. */
  readonly pattern: string;
  /** Where the port is, as the block wrote it: `../../devel/gmake`. */
  readonly dir: string;
}

const isKeyStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isKeyChar = (c: number): boolean => isKeyStart(c) || (c >= 48 && c <= 57);

/** Whether `text[from, to)` is a variable name: `[A-Za-z_][A-Za-z0-9_]*`. */
function isKey(text: string, from: number, to: number): boolean {
  if (to <= from || !isKeyStart(text.charCodeAt(from))) return false;
  for (let i = from + 1; i < to; i++) if (!isKeyChar(text.charCodeAt(i))) return false;
  return true;
}

/** Variables kept as a block is read; every other one waits until `vars` is asked for. */
const KEPT = ['PKG_LOCATION', 'ALL_DEPENDS', 'RUN_DEPENDS', 'DEPENDS', 'PKG_SKIP_REASON', 'PKG_FAIL_REASON', 'KILN_SCAN_ERROR'];

/** Which of KEPT the key `text[from, to)` is, or -1. */
function keptIndex(text: string, from: number, to: number): number {
  const length = to - from;
  for (let i = 0; i < KEPT.length; i++) {
    if (KEPT[i]!.length === length && text.startsWith(KEPT[i]!, from)) return i;
  }
  return -1;
}

/** Reads the KEY=VALUE lines of a block's text into a map (later keys win). */
function readVars(raw: string): Map<string, string> {
  const vars = new Map<string, string>();
  let pos = 0;
  while (pos < raw.length) {
    let end = raw.indexOf('\n', pos);
    if (end === -1) end = raw.length;
    const eq = raw.indexOf('=', pos);
    if (eq >= 0 && eq < end && isKey(raw, pos, eq)) vars.set(raw.slice(pos, eq), raw.slice(eq + 1, end));
    pos = end + 1;
  }
  return vars;
}

/**
 * A block as the reader gives it. Building a map of every variable of
 * 29,000 blocks costs more than resolving them, so the map is made when
 * `vars` is first read; indexValue() reads the resolver's variables
 * without it.
 */
class IndexBlock implements IndexEntry {
  private map: Map<string, string> | undefined;

  constructor(readonly pkgname: string, readonly raw: string, readonly line: number, readonly kept: (string | undefined)[]) {}

  get vars(): ReadonlyMap<string, string> {
    this.map ??= readVars(this.raw);
    return this.map;
  }
}

/** The value of `key` in a block: what `entry.vars.get(key)` gives, faster for the resolver's keys. */
export function indexValue(entry: IndexEntry, key: string): string | undefined {
  if (entry instanceof IndexBlock) {
    const kept = KEPT.indexOf(key);
    if (kept >= 0) return entry.kept[kept];
  }
  return entry.vars.get(key);
}

/**
 * Reads an index as it arrives, in chunks of any size (a stream of a
 * gunzipped pscan, say): `push` gives back the blocks it completed, `end`
 * the last one. Blocks are cut where a line starts with `PKGNAME=`, as
 * pbulk cuts them. Bad lines are collected in `errors` with their numbers.
 */
export class IndexReader {
  readonly errors: IndexError[] = [];
  private pending = '';
  /** Line number of the first line of `pending`, less one. */
  private linesBefore = 0;
  /** Whether a PKGNAME= line has been seen: lines before it are errors. */
  private started = false;

  push(chunk: string): IndexEntry[] {
    // Cut at the first and the last block start in `chunk`: the block that
    // straddles the previous chunk is the only text joined and copied. A
    // block start split between two chunks is just not a cut: the text
    // around it is parsed whole either way.
    const atStart = chunk.startsWith('PKGNAME=') && (this.pending === '' || this.pending.endsWith('\n'));
    const first = atStart ? 0 : chunk.indexOf('\nPKGNAME=') + 1;
    if (first === 0 && !atStart) {
      this.pending += chunk;
      return [];
    }
    const last = chunk.lastIndexOf('\nPKGNAME=') + 1 || first;
    const entries = this.parse(this.pending + chunk.slice(0, first));
    if (last > first) for (const entry of this.parse(chunk.slice(first, last))) entries.push(entry);
    this.pending = chunk.slice(last);
    return entries;
  }

  end(): IndexEntry[] {
    const rest = this.pending;
    this.pending = '';
    return this.parse(rest);
  }

  /** Parses whole blocks (and, at the very start, lines before any block). */
  private parse(text: string): IndexEntry[] {
    const entries: IndexEntry[] = [];
    let pkgname: string | undefined;
    let kept: (string | undefined)[] = [];
    let start = 0;
    let startLine = 0;
    let lineNo = this.linesBefore;
    let pos = 0;
    const close = (end: number): void => {
      if (pkgname !== undefined) entries.push(new IndexBlock(pkgname, text.slice(start, end) + (text.charCodeAt(end - 1) === 10 ? '' : '\n'), startLine, kept));
    };
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end === -1) end = text.length;
      lineNo++;
      if (end > pos) {
        const eq = text.indexOf('=', pos);
        if (eq < 0 || eq >= end || !isKey(text, pos, eq)) {
          this.errors.push({ line: lineNo, text: text.slice(pos, end), message: 'not a KEY=VALUE line' });
        } else if (eq - pos === 7 && text.startsWith('PKGNAME', pos)) {
          close(pos);
          this.started = true;
          if (eq + 1 === end) {
            this.errors.push({ line: lineNo, text: text.slice(pos, end), message: 'empty PKGNAME' });
            pkgname = undefined;
          } else {
            pkgname = text.slice(eq + 1, end);
            kept = new Array<string | undefined>(KEPT.length);
            start = pos;
            startLine = lineNo;
          }
        } else if (pkgname !== undefined) {
          const index = keptIndex(text, pos, eq);
          if (index >= 0) kept[index] = text.slice(eq + 1, end);
        } else if (!this.started) {
          this.errors.push({ line: lineNo, text: text.slice(pos, end), message: 'comes before any PKGNAME= line' });
        }
        // else: a line of a block dropped for its empty PKGNAME, already reported
      }
      pos = end + 1;
    }
    close(text.length);
    this.linesBefore = lineNo;
    return entries;
  }
}

export function parseIndex(text: string): { entries: IndexEntry[]; errors: IndexError[] } {
  const reader = new IndexReader();
  const entries = reader.push(text);
  for (const entry of reader.end()) entries.push(entry);
  return { entries, errors: reader.errors };
}

/** The `pattern:dir` tokens of a dependency variable (ALL_DEPENDS by default). */
export function dependencies(entry: IndexEntry, key = 'ALL_DEPENDS'): { deps: Dependency[]; malformed: string[] } {
  const deps: Dependency[] = [];
  const malformed: string[] = [];
  for (const token of (entry.vars.get(key) ?? '').split(/\s+/)) {
    if (token === '') continue;
    const colon = token.lastIndexOf(':');
    if (colon <= 0 || colon === token.length - 1) malformed.push(token);
    else deps.push({ pattern: token.slice(0, colon), dir: token.slice(colon + 1) });
  }
  return { deps, malformed };
}

/** Writes entries back in pbulk-index format. */
export function formatEntry(vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (const [key, value] of vars) out += `${key}=${value}\n`;
  return out;
}
