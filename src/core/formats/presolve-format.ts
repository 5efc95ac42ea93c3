// pbulk-resolve's output (`presolve`): every block as it was read, with a
// `DEPENDS=` line added at its end naming the resolved dependencies. A block
// whose dependencies did not all resolve gets no DEPENDS= line, and its
// PKG_FAIL_REASON says which pattern failed, as pbulk writes it. kiln's own
// reasons (a cycle, a directory outside the tree) go into PKG_FAIL_REASON
// when the block has no skip or fail reason of its own; a plain pkgsrc scan
// has neither, so its presolve is pbulk's byte for byte.

import { quoteReason } from './make-quote.js';
import { indexValue } from './pbulk-index.js';
import type { ResolvedPackage } from '../resolve/resolve.js';

/** The PKG_FAIL_REASON value to write instead of the block's own, or undefined. */
function failReason(pkg: ResolvedPackage): string | undefined {
  const last = pkg.unresolved[pkg.unresolved.length - 1];
  if (last !== undefined) return `"could not resolve dependency "${last}""`;
  switch (pkg.cause) {
    case 'cycle':
    case 'outside-tree':
    case 'malformed-dependency':
      return quoteReason(pkg.prefailed!);
    case 'unresolvable': // a RUN_DEPENDS pattern only, not pbulk's business
    case 'skip':
    case 'fail':
    case 'scan-error':
    case 'no-location':
    case undefined:
      return undefined;
  }
}

/** Replaces the value of the block's PKG_FAIL_REASON= line, or adds the line. */
function withFailReason(raw: string, value: string): string {
  const at = raw.indexOf('\nPKG_FAIL_REASON=');
  if (at < 0) return `${raw}PKG_FAIL_REASON=${value}\n`;
  const start = at + '\nPKG_FAIL_REASON='.length;
  const end = raw.indexOf('\n', start);
  return raw.slice(0, start) + value + raw.slice(end);
}

/** One package's block of presolve output. */
export function formatPresolveBlock(pkg: ResolvedPackage): string {
  const raw = pkg.entry.raw;
  if (indexValue(pkg.entry, 'DEPENDS') !== undefined) return raw;
  const fail = failReason(pkg);
  const head = fail === undefined ? raw : withFailReason(raw, fail);
  if (!pkg.complete || pkg.depends.length === 0) return head;
  return `${head}DEPENDS=${pkg.depends.join(' ')}\n`;
}

/** The whole presolve output (for big indexes, write block by block instead). */
export function formatPresolve(packages: readonly ResolvedPackage[]): string {
  return packages.map(formatPresolveBlock).join('');
}
