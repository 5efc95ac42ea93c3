// Every `pattern:dir` token of an index, read once. A whole pkgsrc tree
// writes some 260,000 dependency tokens but only about 27,000 different
// ones, so each is looked up where it stands in its line, by a hash of its
// characters, without cutting it out as a string of its own.

import type { PkgPath } from '../model.js';
import type { CompiledPattern } from './pattern.js';

export type Token =
  | {
    readonly kind: 'dependency';
    readonly text: string;
    readonly pattern: string;
    readonly dir: string;
    readonly compiled: CompiledPattern;
    /** The pkgpath of `dir` from any `cat/port`, when it has the usual form. */
    readonly plain: PkgPath | undefined;
  }
  /** Not `pattern:dir`. */
  | { readonly kind: 'malformed'; readonly text: string };

export class TokenTable {
  private readonly buckets = new Map<number, Token[]>();

  /** `read` turns the text of a token not met before into a Token. */
  constructor(private readonly read: (text: string) => Token) {}

  /** The token written at `line[at, end)`, whose characters hash to `hash` (see hashStep). */
  get(line: string, at: number, end: number, hash: number): Token {
    const length = end - at;
    const bucket = this.buckets.get(hash);
    if (bucket !== undefined) {
      for (const token of bucket) {
        if (token.text.length === length && line.startsWith(token.text, at)) return token;
      }
    }
    const token = this.read(line.slice(at, end));
    if (bucket === undefined) this.buckets.set(hash, [token]);
    else bucket.push(token);
    return token;
  }
}

/** One step of the tokens' hash, from 0: `hash = hashStep(hash, charCode)`. */
export function hashStep(hash: number, code: number): number {
  return (Math.imul(hash, 31) + code) | 0;
}
