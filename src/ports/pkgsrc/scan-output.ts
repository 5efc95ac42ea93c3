// What one pkgsrc scan printed, made into the port's index: each block as
// `bmake pbulk-index` wrote it, with `PKG_LOCATION=<pkgpath>` after its
// PKGNAME line, as pbulk-scan writes meta/pscan; the values stay byte for
// byte what pkgsrc's :Q made of them. The same bmake then printed, on a line
// of its own (pkgsrc's show-var), KILN_HOST_FEATURES: what build hosts the
// port needs, as mk.conf sets it per PKGPATH; and on the next, pkgsrc's
// _USE_DISTCC: YES when mk/compiler/distcc.mk compiles the port through
// distcc (mk.conf's PKGSRC_COMPILER names distcc, and the port uses C or
// C++). When a features value is set, each block ends with
// `HOST_FEATURES=<words>`, and with distcc `USE_DISTCC=yes`, the lines a
// Portfile's block has; a port with neither has pbulk's blocks unchanged.
// pbulk's own resolver carries a line it does not know along with its block.

import { FEATURE_NAME } from '../../core/engine/host-features.js';
import { escapeControls } from '../../core/formats/escape.js';
import type { PkgPath } from '../../core/model.js';

export type PbulkIndexOutput =
  | { readonly kind: 'index'; readonly index: string; readonly blocks: number }
  | { readonly kind: 'unrecognised'; readonly error: string };

/** The mk.conf variable naming the features a port's build host must offer. */
export const FEATURES_VARIABLE = 'KILN_HOST_FEATURES';

/** pkgsrc's own (mk/compiler/distcc.mk): YES when the port compiles through distcc. */
export const DISTCC_VARIABLE = '_USE_DISTCC';

/** bmake's targets for one scan: pbulk's blocks, then the features' and distcc's values, one a line, in one make. */
export const SCAN_TARGETS: readonly string[] = ['pbulk-index', 'show-vars', `VARNAMES=${FEATURES_VARIABLE} ${DISTCC_VARIABLE}`];

/** The index of a scan run with SCAN_TARGETS: its blocks, with the features as each block's HOST_FEATURES, and USE_DISTCC=yes. */
export function scanOutput(pkgpath: PkgPath, stdout: string): PbulkIndexOutput {
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const distcc = /^yes$/i.test(lines.pop() ?? '');
  const featureLine = lines.pop() ?? '';
  const words = featureLine.split(/\s+/).filter((w) => w !== '');
  const bad = words.find((w) => !FEATURE_NAME.test(w));
  if (bad !== undefined) {
    return { kind: 'unrecognised', error: `${FEATURES_VARIABLE} (mk.conf) entry ${JSON.stringify(escapeControls(bad.slice(0, 80)))} is not a feature name: use letters, digits, '.', '_', '+', '-', as in a hosts file's features=` };
  }
  const ending = [...(words.length > 0 ? [`HOST_FEATURES=${[...new Set(words)].join(' ')}`] : []), ...(distcc ? ['USE_DISTCC=yes'] : [])];
  return withLocation(pkgpath, lines.length === 0 ? '' : lines.join('\n') + '\n', ending);
}

/** pbulk-index's blocks with PKG_LOCATION after each PKGNAME and the `ending` lines (kiln's) ending each. */
export function withLocation(pkgpath: PkgPath, stdout: string, ending: readonly string[] = []): PbulkIndexOutput {
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
    if (line.startsWith('PKGNAME=')) {
      if (blocks > 0) out.push(...ending);
      blocks++;
      out.push(line, `PKG_LOCATION=${pkgpath}`);
    } else {
      out.push(line);
    }
  }
  out.push(...ending);
  return { kind: 'index', index: out.join('\n') + '\n', blocks };
}
