// Resolves one package's list of `pattern:dir` dependencies the way
// pbulk-resolve's resolve_entry does: in the order written, a pattern
// already satisfied by a dependency taken earlier adds nothing (the earlier
// one is "most likely stricter"), otherwise the best match among all
// packages is taken. kiln adds one fallback: a pattern that matches nothing,
// whose directory holds a port that could not be scanned, resolves to that
// port, so that its dependents are blocked by it and not "unresolvable".

import type { Candidates } from './candidates.js';
import { dependencyDir } from './dependency-dir.js';
import type { PkgPath } from './model.js';

export interface DependsContext {
  readonly names: readonly string[];
  readonly locations: readonly PkgPath[];
  readonly candidates: Candidates;
  /** Ports that could not be scanned, by pkgpath: their block's id. */
  readonly scanErrors: ReadonlyMap<PkgPath, number>;
  /** Warn, as `pbulk-resolve -v` does, when the best match lives elsewhere than the dependency's directory. */
  readonly verbose: boolean;
}

export interface ResolvedDepends {
  /** Ids of the dependencies taken, in pbulk's order. */
  readonly ids: number[];
  /** Patterns that match nothing, with the pkgpath (or dir) they name. */
  readonly unresolved: { readonly pattern: string; readonly where: string }[];
  /** Dependencies whose directory is absolute or climbs out of the tree. */
  readonly outside: { readonly pattern: string; readonly dir: string }[];
  /** Tokens that are not `pattern:dir`. */
  readonly malformed: string[];
  /** `pbulk-resolve -v` warnings. */
  readonly warnings: string[];
}

const isBlank = (c: number): boolean => c === 32 || c === 9;

/** Resolves the tokens of `value` (an ALL_DEPENDS or RUN_DEPENDS line) for package `id`. */
export function resolveDepends(context: DependsContext, id: number, value: string): ResolvedDepends {
  const { names, locations, candidates } = context;
  const result: ResolvedDepends = { ids: [], unresolved: [], outside: [], malformed: [], warnings: [] };
  const location = locations[id]!;
  let at = 0;
  while (at < value.length) {
    while (at < value.length && isBlank(value.charCodeAt(at))) at++;
    if (at >= value.length) break;
    let end = at;
    while (end < value.length && !isBlank(value.charCodeAt(end))) end++;
    const token = value.slice(at, end);
    at = end;
    const colon = token.indexOf(':');
    if (colon <= 0 || colon === token.length - 1) {
      result.malformed.push(token);
      continue;
    }
    const pattern = token.slice(0, colon);
    const dir = token.slice(colon + 1);
    const where = dependencyDir(location, dir);
    if (where.kind === 'outside-tree') result.outside.push({ pattern, dir });
    const wanted = where.kind === 'pkgpath' ? where.pkgpath : dir;
    const warn = (match: number): void => {
      if (context.verbose && locations[match] !== wanted) {
        result.warnings.push(`Best matching ${names[match]!} differs from location ${wanted} for dependency ${pattern} of package ${names[id]!}`);
      }
    };
    const compiled = candidates.pattern(pattern);
    const taken = result.ids.find((dep) => compiled.matches(names[dep]!));
    if (taken !== undefined) {
      warn(taken);
      continue;
    }
    const best = candidates.bestMatch(pattern);
    if (best >= 0) {
      warn(best);
      result.ids.push(best);
      continue;
    }
    const broken = where.kind === 'pkgpath' ? context.scanErrors.get(where.pkgpath) : undefined;
    if (broken !== undefined) {
      if (!result.ids.includes(broken)) result.ids.push(broken);
      continue;
    }
    result.unresolved.push({ pattern, where: wanted });
  }
  return result;
}
