// What `bmake pbulk-index` printed, made into the port's index: each block
// as bmake wrote it, with `PKG_LOCATION=<pkgpath>` after its PKGNAME line,
// as pbulk-scan writes meta/pscan. Nothing else is changed: the values stay
// byte for byte what pkgsrc's :Q made of them.

import type { PkgPath } from '../../core/model.js';

export type PbulkIndexOutput =
  | { readonly kind: 'index'; readonly index: string; readonly blocks: number }
  | { readonly kind: 'unrecognised'; readonly error: string };

export function withLocation(pkgpath: PkgPath, stdout: string): PbulkIndexOutput {
  if (stdout.trim() === '') return { kind: 'unrecognised', error: 'bmake pbulk-index printed nothing' };
  if (!stdout.startsWith('PKGNAME=')) {
    const first = (stdout.split('\n', 1)[0] ?? '').slice(0, 120);
    return { kind: 'unrecognised', error: `bmake pbulk-index output does not start with PKGNAME= (${JSON.stringify(first)})` };
  }
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: string[] = [];
  let blocks = 0;
  for (const line of lines) {
    out.push(line);
    if (line.startsWith('PKGNAME=')) {
      blocks++;
      out.push(`PKG_LOCATION=${pkgpath}`);
    }
  }
  return { kind: 'index', index: out.join('\n') + '\n', blocks };
}
