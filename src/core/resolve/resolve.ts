// Dependency resolution exactly as pbulk-resolve does it, for whole index
// scans: every ALL_DEPENDS pattern becomes the pkgname pbulk would pick, in
// pbulk's order, so `formatPresolve` writes what pbulk-resolve writes.
//
// On top of pbulk, every package learns whether it can be built at all
// (`prefailed`, a sentence for the report): skip and fail reasons, patterns
// that match nothing, directories outside the tree, dependency cycles.
// Dependents of a prefailed package are not marked here: the engine does
// that (`indirect-prefailed`, `blocked_by`).

import { Candidates } from './candidates.js';
import { unquoteReason } from '../formats/make-quote.js';
import type { PkgName, PkgPath } from '../model.js';
import type { IndexEntry } from '../formats/pbulk-index.js';
import { indexValue } from '../formats/pbulk-index.js';
import { cycleReasons } from './resolve-cycles.js';
import type { DependsContext, ResolvedDepends } from './resolve-depends.js';
import { newTokenTable, resolveDepends } from './resolve-depends.js';

/** Why a package cannot be built, before anything is built. */
export type PrefailCause =
  | 'skip'                 // PKG_SKIP_REASON
  | 'fail'                 // PKG_FAIL_REASON
  | 'scan-error'           // the port could not be scanned (KILN_SCAN_ERROR)
  | 'no-location'          // the block has no PKG_LOCATION
  | 'malformed-dependency' // a dependency that is not pattern:dir
  | 'unresolvable'         // a pattern that matches no package
  | 'outside-tree'         // a dependency directory outside the tree
  | 'cycle';               // the package is on a dependency cycle

export interface ResolvedPackage {
  readonly entry: IndexEntry;
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  /** Resolved ALL_DEPENDS, in the order pbulk writes them in DEPENDS=. */
  readonly depends: readonly PkgName[];
  /** Resolved RUN_DEPENDS (kiln's Portfile driver writes it); undefined when the block has none. */
  readonly runDepends: readonly PkgName[] | undefined;
  /** Why it cannot be built, as a sentence; undefined when it can. */
  readonly prefailed: string | undefined;
  readonly cause: PrefailCause | undefined;
  /** ALL_DEPENDS patterns that match nothing, in order. */
  readonly unresolved: readonly string[];
  /** Every ALL_DEPENDS token resolved: pbulk writes DEPENDS= only then. */
  readonly complete: boolean;
}

export interface ResolveMessage {
  readonly pkgname: string;
  /** The line of the package's PKGNAME= in the index. */
  readonly line: number;
  readonly level: 'error' | 'warning';
  readonly text: string;
}

export interface ResolveOptions {
  /** Unresolvable dependencies are errors (pbulk-resolve fails), not warnings. */
  readonly strict: boolean;
  /** pbulk-resolve -v: warn when a best match lives elsewhere than the dependency's directory. */
  readonly verbose?: boolean;
}

export interface Resolution {
  readonly packages: ResolvedPackage[];
  readonly messages: ResolveMessage[];
  /** Blocks left out because an earlier block has their PKGNAME, with that block. */
  readonly dropped: readonly DroppedEntry[];
}

export interface DroppedEntry {
  readonly entry: IndexEntry;
  readonly keptBy: IndexEntry;
}

const reasonOf = (raw: string | undefined): string | undefined =>
  raw === undefined || raw === '' ? undefined : unquoteReason(raw) || raw;

export function resolveIndex(entries: readonly IndexEntry[], options: ResolveOptions): Resolution {
  const messages: ResolveMessage[] = [];
  const problem = strictLevel(options.strict);
  const dropped: DroppedEntry[] = [];
  const kept = dropDuplicates(entries, messages, dropped);
  const names = kept.map((entry) => entry.pkgname);
  const locations = kept.map((entry) => indexValue(entry, 'PKG_LOCATION') ?? '');
  const broken = kept.map((entry) => indexValue(entry, 'KILN_SCAN_ERROR') !== undefined);
  const scanErrors = new Map<PkgPath, number>();
  broken.forEach((isBroken, id) => { if (isBroken && !scanErrors.has(locations[id]!)) scanErrors.set(locations[id]!, id); });
  const candidates = new Candidates(names, (id) => !broken[id]);
  const context: DependsContext = {
    names, locations, scanErrors, candidates, verbose: options.verbose ?? false, tokens: newTokenTable(candidates),
  };

  const known = new Set(names);
  const drafts = kept.map((entry, id) => {
    const say = (level: 'error' | 'warning', text: string): void => { messages.push({ pkgname: entry.pkgname, line: entry.line, level, text }); };
    const given = indexValue(entry, 'DEPENDS');
    const all = given === undefined ? resolveDepends(context, id, indexValue(entry, 'ALL_DEPENDS') ?? '') : undefined;
    if (given === undefined && indexValue(entry, 'ALL_DEPENDS') === undefined) say(problem, `No ALL_DEPENDS line for ${entry.pkgname}`);
    const runValue = indexValue(entry, 'RUN_DEPENDS');
    const run = runValue === undefined ? undefined : resolveDepends(context, id, runValue);
    const seen = new Set<string>();
    for (const found of [all, run]) {
      if (found === undefined) continue;
      for (const text of found.warnings) say('warning', text);
      for (const token of found.malformed) say(problem, `Incorrect dependency ${token} for ${entry.pkgname}`);
      for (const { pattern } of found.unresolved) {
        if (!seen.has(pattern)) say(problem, `No match found for dependency ${pattern} of package ${entry.pkgname}`);
        seen.add(pattern);
      }
      for (const { pattern, dir } of found.outside) say(problem, `Dependency ${pattern}:${dir} of package ${entry.pkgname} points outside the tree`);
    }
    const depends = all === undefined ? givenDepends(given ?? '', known, (name) => say(problem, `DEPENDS of ${entry.pkgname} names ${name}, which is not in the index`))
      : all.ids.map((dep) => names[dep]!);
    return { entry, id, all, run, depends, missingAllDepends: given === undefined && indexValue(entry, 'ALL_DEPENDS') === undefined };
  });

  const ids = new Map(names.map((name, id) => [name, id]));
  const cycles = cycleReasons(names, drafts.map((draft) => draft.all?.ids ?? draft.depends.flatMap((name) => ids.get(name) ?? [])));

  const packages = drafts.map((draft): ResolvedPackage => {
    const { entry, id, all, run } = draft;
    const prefail = prefailOf(entry, locations[id]!, all, run, draft.missingAllDepends, cycles.get(id));
    return {
      entry,
      pkgname: entry.pkgname,
      pkgpath: locations[id]!,
      depends: draft.depends,
      runDepends: run?.ids.map((dep) => names[dep]!),
      prefailed: prefail?.reason,
      cause: prefail?.cause,
      unresolved: all?.unresolved.map((u) => u.pattern) ?? [],
      complete: all === undefined || (all.unresolved.length === 0 && all.malformed.length === 0 && !draft.missingAllDepends),
    };
  });
  // In index order, as a person reads the file.
  messages.sort((a, b) => a.line - b.line);
  return { packages, messages, dropped };
}

/** The pkgnames of a DEPENDS= line already in the block, those not in the index left out. */
function givenDepends(line: string, known: ReadonlySet<string>, unknown: (name: string) => void): string[] {
  const depends: string[] = [];
  for (const name of line.split(' ')) {
    if (name === '') continue;
    if (known.has(name)) depends.push(name);
    else unknown(name);
  }
  return depends;
}

function strictLevel(strict: boolean): 'error' | 'warning' {
  return strict ? 'error' : 'warning';
}

/** Keeps the first block of each pkgname, as pbulk-scan does when it writes pscan. */
function dropDuplicates(entries: readonly IndexEntry[], messages: ResolveMessage[], dropped: DroppedEntry[]): IndexEntry[] {
  const first = new Map<string, IndexEntry>();
  const kept: IndexEntry[] = [];
  for (const entry of entries) {
    const earlier = first.get(entry.pkgname);
    if (earlier !== undefined) {
      messages.push({ pkgname: entry.pkgname, line: entry.line, level: 'warning', text: `Duplicate PKGNAME ${entry.pkgname} dropped (first at line ${earlier.line})` });
      dropped.push({ entry, keptBy: earlier });
      continue;
    }
    first.set(entry.pkgname, entry);
    kept.push(entry);
  }
  return kept;
}

/** The first reason, in this order, that keeps the package from being built. */
function prefailOf(
  entry: IndexEntry, location: string, all: ResolvedDepends | undefined, run: ResolvedDepends | undefined,
  missingAllDepends: boolean, cycle: string | undefined,
): { cause: PrefailCause; reason: string } | undefined {
  const skip = reasonOf(indexValue(entry, 'PKG_SKIP_REASON'));
  if (skip !== undefined) return { cause: 'skip', reason: skip };
  const scanError = indexValue(entry, 'KILN_SCAN_ERROR');
  const fail = reasonOf(indexValue(entry, 'PKG_FAIL_REASON'));
  if (scanError !== undefined) return { cause: 'scan-error', reason: fail ?? `could not be scanned: ${scanError}` };
  if (fail !== undefined) return { cause: 'fail', reason: fail };
  if (location === '') return { cause: 'no-location', reason: 'its index block has no PKG_LOCATION' };
  const lists = [all, run].filter((list) => list !== undefined);
  const malformed = lists.flatMap((list) => list.malformed);
  if (missingAllDepends) return { cause: 'malformed-dependency', reason: 'its index block has no ALL_DEPENDS' };
  if (malformed.length > 0) {
    return { cause: 'malformed-dependency', reason: `malformed dependency ${[...new Set(malformed)].join(', ')} (want pattern:../../category/name)` };
  }
  const unresolved = new Map(lists.flatMap((list) => list.unresolved).map((u) => [u.pattern, u.where]));
  if (unresolved.size > 0) {
    return { cause: 'unresolvable', reason: [...unresolved].map(([pattern, where]) => `no package matches dependency ${pattern} (${where})`).join('; ') };
  }
  const outside = new Set(lists.flatMap((list) => list.outside).map((o) => `${o.pattern}:${o.dir}`));
  if (outside.size > 0) return { cause: 'outside-tree', reason: `dependency ${[...outside].join(', ')} points outside the tree` };
  if (cycle !== undefined) return { cause: 'cycle', reason: cycle };
  return undefined;
}
