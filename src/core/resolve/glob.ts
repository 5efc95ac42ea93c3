// Shell glob matching as fnmatch(3) with FNM_PERIOD does it, which is what
// pkg_install and pbulk use for patterns like `py311-foo-[0-9]*`:
// `*` any run, `?` one character, `[a-z]`/`[!a]`/`[^a]` a set, `\x` a
// literal x. A leading '.' in the name is matched only by a literal '.'.
// A `[` with no closing `]` stands for itself, as in NetBSD's fnmatch.

type Token =
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'one' }
  | { readonly kind: 'star' }
  | { readonly kind: 'set'; readonly negate: boolean; readonly ranges: readonly number[] };

/** A compiled glob: call `matches` as often as needed. */
export interface Glob {
  matches(name: string): boolean;
}

/** Reads a `[...]` set starting after its '['; undefined when it has no ']'. */
function readSet(pattern: string, at: number): { token: Token; end: number } | undefined {
  let i = at;
  const negate = pattern[i] === '!' || pattern[i] === '^';
  if (negate) i++;
  const ranges: number[] = [];
  let first = true;
  while (i < pattern.length) {
    if (pattern[i] === ']' && !first) return { token: { kind: 'set', negate, ranges }, end: i + 1 };
    first = false;
    let low = pattern.charCodeAt(i);
    if (pattern[i] === '\\' && i + 1 < pattern.length) low = pattern.charCodeAt(++i);
    i++;
    let high = low;
    if (pattern[i] === '-' && i + 1 < pattern.length && pattern[i + 1] !== ']') {
      i++;
      if (pattern[i] === '\\' && i + 1 < pattern.length) i++;
      high = pattern.charCodeAt(i);
      i++;
    }
    ranges.push(low, high);
  }
  return undefined;
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
      i++;
    } else if (c === '?') {
      tokens.push({ kind: 'one' });
      i++;
    } else if (c === '[') {
      const set = readSet(pattern, i + 1);
      if (set) {
        tokens.push(set.token);
        i = set.end;
      } else {
        tokens.push({ kind: 'char', code: 91 });
        i++;
      }
    } else if (c === '\\' && i + 1 < pattern.length) {
      tokens.push({ kind: 'char', code: pattern.charCodeAt(i + 1) });
      i += 2;
    } else {
      tokens.push({ kind: 'char', code: pattern.charCodeAt(i) });
      i++;
    }
  }
  return tokens;
}

function matchesOne(token: Token, code: number): boolean {
  switch (token.kind) {
    case 'char': return token.code === code;
    case 'one': return true;
    case 'star': return true;
    case 'set': {
      let inside = false;
      for (let r = 0; r < token.ranges.length; r += 2) {
        if (code >= token.ranges[r]! && code <= token.ranges[r + 1]!) {
          inside = true;
          break;
        }
      }
      return inside !== token.negate;
    }
  }
}

export function compileGlob(pattern: string): Glob {
  const tokens = tokenize(pattern);
  const leadingWild = tokens.length > 0 && tokens[0]!.kind !== 'char';
  return {
    matches(name: string): boolean {
      // FNM_PERIOD: a leading '.' wants a literal '.'.
      if (leadingWild && name.charCodeAt(0) === 46) return false;
      // Greedy matching that backs up to the last '*': exact for globs
      // without FNM_PATHNAME, where '*' may take any run of characters.
      let t = 0;
      let n = 0;
      let starT = -1;
      let starN = 0;
      while (n < name.length) {
        const token = tokens[t];
        if (token?.kind === 'star') {
          starT = t++;
          starN = n;
        } else if (token !== undefined && matchesOne(token, name.charCodeAt(n))) {
          t++;
          n++;
        } else if (starT >= 0) {
          t = starT + 1;
          n = ++starN;
        } else {
          return false;
        }
      }
      while (tokens[t]?.kind === 'star') t++;
      return t === tokens.length;
    },
  };
}

/** Whether a pattern holds any glob character (pkg_match's test). */
export function hasGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' || c === '?' || c === '[' || c === ']') return true;
  }
  return false;
}
