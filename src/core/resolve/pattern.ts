// pkgsrc dependency patterns, matched as pkg_install's and pbulk's pkg_match
// does: csh alternatives `{a,b}` first (nested ones too, each alternative
// matched on its own), then a dewey range (`name>=1.2`, `name>1<2`), then a
// glob (`name-[0-9]*`), else the exact pkgname. The best of several matches
// is pbulk's pkg_order: the newest version, ties going to the pkgname that
// sorts last byte by byte.

import type { Dewey, DeweyOp } from './dewey.js';
import { compareDewey, deweyHolds, parseDewey, readDeweyOp, versionOf } from './dewey.js';
import { compileGlob, hasGlob } from './glob.js';

/** One brace-free alternative of a pattern, ready to match. */
interface Alternative {
  /** Every pkgname it matches starts with this. */
  readonly prefix: string;
  /** Every pkgname it matches is this, a dash and a version (dewey and exact patterns). */
  readonly base: string | undefined;
  matches(pkgname: string): boolean;
}

export interface CompiledPattern {
  readonly text: string;
  /** Unbalanced braces: pkg_install stops with "Malformed alternate"; here it matches nothing. */
  readonly malformed: boolean;
  /** Every pkgname the pattern matches starts with one of these. */
  readonly prefixes: readonly string[];
  /** When known: every pkgname the pattern matches is one of these, a dash and a version. */
  readonly bases: readonly string[] | undefined;
  matches(pkgname: string): boolean;
}

/** More alternatives than this is not a dependency pattern but an accident. */
const MAX_ALTERNATIVES = 4096;

/**
 * Expands the first `{...}` of `pattern` and, recursively, the rest, as
 * pkg_install's alternate_match does. Undefined when braces do not balance.
 */
export function expandAlternatives(pattern: string): string[] | undefined {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  let close = -1;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === '{') depth++;
    else if (pattern[i] === '}' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return undefined;
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const out: string[] = [];
  let start = open + 1;
  depth = 0;
  for (let i = open + 1; i <= close; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (depth === 0 && (c === ',' || i === close)) {
      const expanded = expandAlternatives(head + pattern.slice(start, i) + tail);
      if (expanded === undefined) return undefined;
      out.push(...expanded);
      if (out.length > MAX_ALTERNATIVES) return undefined;
      start = i + 1;
    }
  }
  return out;
}

function literalPrefix(glob: string): string {
  let end = 0;
  while (end < glob.length && !'*?[]\\'.includes(glob[end]!)) end++;
  return glob.slice(0, end);
}

/** `name>=1.2`, `name>1<2`, `name<3`: the name, then one or two bounds. */
function deweyAlternative(pattern: string, sep: number): Alternative {
  const base = pattern.slice(0, sep);
  const first = readDeweyOp(pattern, sep);
  if (first === undefined) return { prefix: base + '-', base, matches: () => false };
  const from = sep + first.length;
  let upper: { op: DeweyOp; bound: Dewey } | undefined;
  let lowerText = pattern.slice(from);
  if (first.op === '>' || first.op === '>=') {
    const lt = pattern.indexOf('<', from);
    if (lt >= 0) {
      const second = readDeweyOp(pattern, lt)!;
      upper = { op: second.op, bound: parseDewey(pattern.slice(lt + second.length)) };
      lowerText = pattern.slice(from, lt);
    }
  }
  const bound = parseDewey(lowerText);
  const op = first.op;
  return {
    prefix: base + '-',
    base,
    matches(pkgname: string): boolean {
      const dash = pkgname.lastIndexOf('-');
      if (dash !== base.length || !pkgname.startsWith(base)) return false;
      const version = parseDewey(pkgname.slice(dash + 1));
      if (upper && !deweyHolds(compareDewey(version, upper.bound), upper.op)) return false;
      return deweyHolds(compareDewey(version, bound), op);
    },
  };
}

function compileAlternative(pattern: string): Alternative {
  const lt = pattern.indexOf('<');
  const gt = pattern.indexOf('>');
  const sep = lt < 0 ? gt : gt < 0 ? lt : Math.min(lt, gt);
  if (sep >= 0) return deweyAlternative(pattern, sep);
  if (hasGlob(pattern)) {
    const glob = compileGlob(pattern);
    return { prefix: literalPrefix(pattern), base: undefined, matches: (name) => glob.matches(name) };
  }
  const dash = pattern.lastIndexOf('-');
  return { prefix: pattern, base: dash > 0 ? pattern.slice(0, dash) : undefined, matches: (name) => name === pattern };
}

export function compilePattern(text: string): CompiledPattern {
  const expanded = expandAlternatives(text);
  if (expanded === undefined) return { text, malformed: true, prefixes: [], bases: [], matches: () => false };
  const alternatives = expanded.map(compileAlternative);
  const prefixes = [...new Set(alternatives.map((a) => a.prefix))];
  const bases = alternatives.every((a) => a.base !== undefined) ? [...new Set(alternatives.map((a) => a.base!))] : undefined;
  if (alternatives.length === 1) {
    const only = alternatives[0]!;
    const prefix = only.prefix;
    // pkg_match's quick test: most names fail on their first characters.
    return { text, malformed: false, prefixes, bases, matches: (name) => name.startsWith(prefix) && only.matches(name) };
  }
  return {
    text, malformed: false, prefixes, bases,
    matches: (name) => alternatives.some((a) => a.matches(name)),
  };
}

/** pkg_match: whether `pkgname` satisfies `pattern`. */
export function pkgMatch(pattern: string, pkgname: string): boolean {
  return compilePattern(pattern).matches(pkgname);
}

/**
 * pbulk's pkg_order: of two pkgnames, the one a dependency should get. The
 * newer version wins; on equal versions ("1.0" and "1.0.0"), the pkgname
 * that sorts last byte by byte (strcmp), and `b` when they are the same.
 */
export function pkgOrder(a: string, b: string, versions: (pkgname: string) => Dewey = (n) => parseDewey(versionOf(n))): string {
  const order = compareDewey(versions(a), versions(b));
  if (order > 0) return a;
  if (order < 0) return b;
  return a > b ? a : b;
}

/** The pkgname pbulk picks for `pattern` among `pkgnames`, or undefined. */
export function bestMatch(pattern: string, pkgnames: Iterable<string>): string | undefined {
  const compiled = compilePattern(pattern);
  let best: string | undefined;
  for (const name of pkgnames) {
    if (!compiled.matches(name)) continue;
    best = best === undefined ? name : pkgOrder(best, name);
  }
  return best;
}
