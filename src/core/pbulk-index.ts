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

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseIndex(text: string): { entries: IndexEntry[]; errors: IndexError[] } {
  const entries: IndexEntry[] = [];
  const errors: IndexError[] = [];
  let vars: Map<string, string> | undefined;
  let start = 0;
  let startLine = 0;
  let lineNo = 0;
  let pos = 0;
  const close = (end: number): void => {
    if (vars) entries.push({ pkgname: vars.get('PKGNAME')!, vars, raw: text.slice(start, end) + (text[end - 1] === '\n' ? '' : '\n'), line: startLine });
  };
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    lineNo++;
    const line = text.slice(pos, end);
    const eq = line.indexOf('=');
    if (line.length === 0) {
      // blank lines separate nothing in this format; they are ignored
    } else if (eq <= 0 || !KEY.test(line.slice(0, eq))) {
      errors.push({ line: lineNo, text: line, message: 'not a KEY=VALUE line' });
    } else {
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      if (key === 'PKGNAME') {
        close(pos);
        if (value === '') {
          errors.push({ line: lineNo, text: line, message: 'empty PKGNAME' });
          vars = undefined;
        } else {
          vars = new Map([[key, value]]);
          start = pos;
          startLine = lineNo;
        }
      } else if (!vars) {
        errors.push({ line: lineNo, text: line, message: 'comes before any PKGNAME= line' });
      } else {
        vars.set(key, value);
      }
    }
    pos = end + 1;
  }
  close(text.length);
  return { entries, errors };
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
