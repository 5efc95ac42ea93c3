// The pkgnames a dependency can resolve to, sorted so that the few that
// share a pattern's literal prefix are found by binary search instead of
// trying the pattern on every package as pbulk-resolve does for patterns
// it cannot hash. The best match of each pattern is remembered.

import type { Dewey } from './dewey.js';
import { parseDewey, versionOf } from './dewey.js';
import type { CompiledPattern } from './pattern.js';
import { compilePattern, pkgOrder } from './pattern.js';

export class Candidates {
  /** Ids into `names`, sorted by pkgname. */
  private readonly sorted: Int32Array;
  /** Ids by pkgbase, the pkgname without its last dash and version. */
  private readonly byBase = new Map<string, number[]>();
  private readonly versions: (Dewey | undefined)[];
  private readonly patterns = new Map<string, CompiledPattern>();
  private readonly best = new Map<string, number>();

  /**
   * `names[id]` is the pkgname of package `id`; only the ids for which
   * `eligible(id)` holds can be matched.
   */
  constructor(private readonly names: readonly string[], eligible: (id: number) => boolean) {
    const ids: number[] = [];
    for (let id = 0; id < names.length; id++) if (eligible(id)) ids.push(id);
    ids.sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : a - b));
    this.sorted = Int32Array.from(ids);
    for (const id of ids) {
      const name = names[id]!;
      const dash = name.lastIndexOf('-');
      if (dash < 0) continue;
      const base = name.slice(0, dash);
      const list = this.byBase.get(base);
      if (list === undefined) this.byBase.set(base, [id]);
      else list.push(id);
    }
    this.versions = new Array<Dewey | undefined>(names.length);
  }

  /** The compiled form of a pattern, compiled once. */
  pattern(text: string): CompiledPattern {
    let compiled = this.patterns.get(text);
    if (compiled === undefined) {
      compiled = compilePattern(text);
      this.patterns.set(text, compiled);
    }
    return compiled;
  }

  /** The id pbulk's find_match picks for `pattern`, or -1 when nothing matches. */
  bestMatch(pattern: string): number {
    const known = this.best.get(pattern);
    if (known !== undefined) return known;
    const compiled = this.pattern(pattern);
    let best = -1;
    const consider = (id: number): void => {
      if (id === best || !compiled.matches(this.names[id]!)) return;
      best = best < 0 ? id : this.order(best, id);
    };
    if (compiled.bases !== undefined) {
      for (const base of compiled.bases) for (const id of this.byBase.get(base) ?? []) consider(id);
      this.best.set(pattern, best);
      return best;
    }
    for (const prefix of compiled.prefixes) {
      for (let i = this.lowerBound(prefix); i < this.sorted.length; i++) {
        const id = this.sorted[i]!;
        const name = this.names[id]!;
        if (!name.startsWith(prefix)) break;
        consider(id);
      }
    }
    this.best.set(pattern, best);
    return best;
  }

  /** pkg_order over ids (pkgnames are unique here): the one pbulk prefers. */
  private order(a: number, b: number): number {
    const winner = pkgOrder(this.names[a]!, this.names[b]!, (name) => this.version(name === this.names[a] ? a : b));
    return winner === this.names[a] ? a : b;
  }

  private version(id: number): Dewey {
    let version = this.versions[id];
    if (version === undefined) {
      version = parseDewey(versionOf(this.names[id]!));
      this.versions[id] = version;
    }
    return version;
  }

  private lowerBound(prefix: string): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.names[this.sorted[mid]!]! < prefix) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
