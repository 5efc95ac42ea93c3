// Resolves one package's list of `pattern:dir` dependencies the way
// pbulk-resolve's resolve_entry does: in the order written, a pattern
// already satisfied by a dependency taken earlier adds nothing (the earlier
// one is "most likely stricter"), otherwise the best match among all
// packages is taken. kiln adds one fallback: a pattern that matches nothing,
// whose directory holds a port that could not be scanned, resolves to that
// port, so that its dependents are blocked by it and not "unresolvable".

import type { Candidates } from './candidates.js';
import { dependencyDir, isTwoDeep, plainDir } from '../pkgpath.js';
import type { PkgPath } from '../model.js';
import type { CompiledPattern } from './pattern.js';
import type { Token } from './token-table.js';
import { hashStep, TokenTable } from './token-table.js';

export interface DependsContext {
  readonly names: readonly string[];
  readonly locations: readonly PkgPath[];
  readonly candidates: Candidates;
  /** Ports that could not be scanned, by pkgpath: their block's id. */
  readonly scanErrors: ReadonlyMap<PkgPath, number>;
  /** Warn, as `pbulk-resolve -v` does, when the best match lives elsewhere than the dependency's directory. */
  readonly verbose: boolean;
  /** Every `pattern:dir` token met so far (see newTokenTable). */
  readonly tokens: TokenTable;
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

/** The table of tokens for `candidates`' patterns. */
export function newTokenTable(candidates: Candidates): TokenTable {
  return new TokenTable((text): Token => {
    // pbulk splits at the first colon; a pattern never holds one.
    const colon = text.indexOf(':');
    if (colon <= 0 || colon === text.length - 1) return { kind: 'malformed', text };
    const pattern = text.slice(0, colon);
    const dir = text.slice(colon + 1);
    return { kind: 'dependency', text, pattern, dir, compiled: candidates.pattern(pattern), plain: plainDir(dir) };
  });
}

/** The id among `ids` whose pkgname satisfies `compiled`, or -1. */
function satisfiedBy(compiled: CompiledPattern, ids: readonly number[], names: readonly string[]): number {
  for (const id of ids) if (compiled.matches(names[id]!)) return id;
  return -1;
}

/** Resolves the tokens of `value` (an ALL_DEPENDS or RUN_DEPENDS line) for package `id`. */
export function resolveDepends(context: DependsContext, id: number, value: string): ResolvedDepends {
  const { names, locations, candidates } = context;
  const result: ResolvedDepends = { ids: [], unresolved: [], outside: [], malformed: [], warnings: [] };
  const location = locations[id]!;
  const twoDeep = isTwoDeep(location);
  let at = 0;
  while (at < value.length) {
    while (at < value.length && isBlank(value.charCodeAt(at))) at++;
    if (at >= value.length) break;
    let end = at;
    let hash = 0;
    for (let c = value.charCodeAt(end); end < value.length && !isBlank(c); c = value.charCodeAt(++end)) hash = hashStep(hash, c);
    const token = context.tokens.get(value, at, end, hash);
    at = end;
    if (token.kind === 'malformed') {
      result.malformed.push(token.text);
      continue;
    }
    const { pattern, compiled } = token;
    // Where the dependency's directory points: usually `plain`, with nothing to work out.
    let wanted: string;
    let inTree = true;
    if (token.plain !== undefined && twoDeep) {
      wanted = token.plain;
    } else {
      const where = dependencyDir(location, token.dir);
      inTree = where.kind === 'pkgpath';
      wanted = where.kind === 'pkgpath' ? where.pkgpath : token.dir;
      if (!inTree) result.outside.push({ pattern, dir: token.dir });
    }
    let match = satisfiedBy(compiled, result.ids, names);
    if (match < 0) {
      match = candidates.bestMatch(pattern);
      if (match >= 0) result.ids.push(match);
    }
    if (match >= 0) {
      if (context.verbose && locations[match] !== wanted) {
        result.warnings.push(`Best matching ${names[match]!} differs from location ${wanted} for dependency ${pattern} of package ${names[id]!}`);
      }
      continue;
    }
    const broken = inTree ? context.scanErrors.get(wanted) : undefined;
    if (broken !== undefined) {
      if (!result.ids.includes(broken)) result.ids.push(broken);
      continue;
    }
    result.unresolved.push({ pattern, where: wanted });
  }
  return result;
}
