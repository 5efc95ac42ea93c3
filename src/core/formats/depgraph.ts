// The recorded dependency graph format of ../shared/data/pkgsrc-smartos:
// one edge a line, `DEPENDENCY -> DEPENDENT`, pkgnames on both sides.
// A line that is not an edge is reported with its number, never thrown.

import type { PkgName } from '../model.js';

export interface ParsedDepgraph {
  /** Every pkgname, in the order first seen. */
  readonly pkgnames: PkgName[];
  /** For each pkgname (same index), the pkgnames it depends on. */
  readonly deps: PkgName[][];
  readonly edges: number;
  readonly problems: { readonly line: number; readonly reason: string }[];
}

export function parseDepgraph(text: string): ParsedDepgraph {
  const ids = new Map<PkgName, number>();
  const pkgnames: PkgName[] = [];
  const deps: PkgName[][] = [];
  const problems: { line: number; reason: string }[] = [];
  let edges = 0;
  const idOf = (name: PkgName): number => {
    let id = ids.get(name);
    if (id === undefined) {
      id = pkgnames.length;
      ids.set(name, id);
      pkgnames.push(name);
      deps.push([]);
    }
    return id;
  };
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '' || line.startsWith('#')) continue;
    const arrow = line.indexOf(' -> ');
    const dep = arrow === -1 ? '' : line.slice(0, arrow).trim();
    const dependent = arrow === -1 ? '' : line.slice(arrow + 4).trim();
    if (dep === '' || dependent === '' || dep.includes(' ') || dependent.includes(' ')) {
      problems.push({ line: lineNo, reason: `not an edge 'DEP -> DEPENDENT': ${line.slice(0, 80)}` });
      continue;
    }
    const depId = idOf(dep);
    deps[idOf(dependent)]!.push(pkgnames[depId]!);
    edges++;
  }
  return { pkgnames, deps, edges, problems };
}
