// pkgsrc's dewey version order, as pkg_install's dewey.c and pbulk's match.c
// compare versions. A version is read left to right into a list of numbers:
//
//   digits      their value (leading zeros mean nothing: "01" is 1)
//   "." "_" "pl" 0 (a separator)
//   "alpha"     -3, "beta" -2, "pre" and "rc" -1 (so 1.0rc1 < 1.0)
//   a letter    0 then its place in the alphabet ("1.2a" reads as 1.2.1)
//   "nb<N>"     not in the list: N is the pkgsrc revision, compared last
//   anything else is skipped
//
// Two lists are compared item by item, a missing item counting as 0, so
// "1.2" equals "1.2.0" and "1.2.0.0". Keywords match whatever their case.
// Numbers are C ints: like the compiled C code, they wrap at 32 bits, so
// two versions with digit runs past 2147483647 compare as pkg_install does.

/** A version read into the numbers it is compared by. */
export interface Dewey {
  readonly parts: readonly number[];
  /** The `nb` revision, 0 when there is none. */
  readonly nb: number;
}

export type DeweyOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

const ALPHA = -3;
const BETA = -2;
const RC = -1;
const DOT = 0;

/** Keywords tried in this order, each with the number it stands for. */
const MODIFIERS: readonly (readonly [string, number])[] = [
  ['alpha', ALPHA], ['beta', BETA], ['pre', RC], ['rc', RC], ['pl', DOT], ['_', DOT], ['.', DOT],
];

const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const lower = (code: number): number => (code >= 65 && code <= 90 ? code + 32 : code);
const isLetter = (code: number): boolean => { const c = lower(code); return c >= 97 && c <= 122; };

/** Whether `text` at `at` starts with the lower-case `word`, ignoring case. */
function startsWithFolded(text: string, at: number, word: string): boolean {
  if (at + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (lower(text.charCodeAt(at + i)) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Reads a run of digits as a C int would hold it; returns [value, end]. */
function readNumber(text: string, at: number): [number, number] {
  let n = 0;
  while (at < text.length && isDigit(text.charCodeAt(at))) {
    n = (Math.imul(n, 10) + (text.charCodeAt(at) - 48)) | 0;
    at++;
  }
  return [n, at];
}

export function parseDewey(version: string): Dewey {
  const parts: number[] = [];
  let nb = 0;
  let at = 0;
  scan: while (at < version.length) {
    const code = version.charCodeAt(at);
    if (isDigit(code)) {
      const [n, end] = readNumber(version, at);
      parts.push(n);
      at = end;
      continue;
    }
    for (const [word, value] of MODIFIERS) {
      if (startsWithFolded(version, at, word)) {
        parts.push(value);
        at += word.length;
        continue scan;
      }
    }
    if (startsWithFolded(version, at, 'nb')) {
      const [n, end] = readNumber(version, at + 2);
      nb = n;
      at = end;
      continue;
    }
    if (isLetter(code)) parts.push(DOT, lower(code) - 96);
    at++;
  }
  return { parts, nb };
}

/** The sign of `a - b` as the C code computes it (an int subtraction). */
function sign(a: number, b: number): number {
  const d = (a - b) | 0;
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/** -1, 0 or 1 as `a` is older than, the same as, or newer than `b`. */
export function compareDewey(a: Dewey, b: Dewey): number {
  const n = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) {
    const s = sign(a.parts[i] ?? 0, b.parts[i] ?? 0);
    if (s !== 0) return s;
  }
  return sign(a.nb, b.nb);
}

/** Compares two version strings in dewey order. */
export function compareVersions(a: string, b: string): number {
  return compareDewey(parseDewey(a), parseDewey(b));
}

/** Whether `compare` (a result of compareDewey) satisfies `op`. */
export function deweyHolds(compare: number, op: DeweyOp): boolean {
  switch (op) {
    case '<': return compare < 0;
    case '<=': return compare <= 0;
    case '>': return compare > 0;
    case '>=': return compare >= 0;
    case '==': return compare === 0;
    case '!=': return compare !== 0;
  }
}

/**
 * The operator at the start of `text` and its length, as dewey_mktest reads
 * it ("<=" before "<", ">=" before ">"), or undefined.
 */
export function readDeweyOp(text: string, at: number): { op: DeweyOp; length: number } | undefined {
  const c = text[at];
  const next = text[at + 1];
  if (c === '<') return next === '=' ? { op: '<=', length: 2 } : { op: '<', length: 1 };
  if (c === '>') return next === '=' ? { op: '>=', length: 2 } : { op: '>', length: 1 };
  if (c === '=' && next === '=') return { op: '==', length: 2 };
  if (c === '!' && next === '=') return { op: '!=', length: 2 };
  return undefined;
}

/** The version part of a pkgname: what follows its last '-' ("" when none). */
export function versionOf(pkgname: string): string {
  const dash = pkgname.lastIndexOf('-');
  return dash < 0 ? '' : pkgname.slice(dash + 1);
}
