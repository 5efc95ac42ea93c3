// Writing pbulk-index blocks as pkgsrc's `bmake pbulk-index` does: the same
// keys in the same order, reasons as double-quoted strings (pkgsrc writes
// PKG_SKIP_REASON and PKG_FAIL_REASON as lists of quoted strings), every
// value on one line. Both drivers and the scanner build blocks here.

import path from 'node:path';

import { escapeControls } from '../core/formats/escape.js';
import type { PkgPath } from '../core/model.js';

/** Control characters that would break or disguise a line of the index. */
const CONTROL = /[\u0000-\u001f\u007f]/g;

export function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/** One reason as pkgsrc writes it: in double quotes, `"` and `\` escaped, one line. */
export function quoteReason(reason: string): string {
  return '"' + escapeControls(reason.replace(/\\/g, '\\\\').replace(/"/g, '\\"'), { short: true }) + '"';
}

/** A list of reasons as pkgsrc writes it: `"first" "second"`; empty for none. */
export function quoteReasons(reasons: readonly string[]): string {
  return reasons.map(quoteReason).join(' ');
}

/** What a block says about one port, before formatting. Lists are joined with spaces. */
export interface BlockFields {
  readonly pkgname: string;
  readonly pkgpath: PkgPath;
  readonly allDepends: readonly string[];
  readonly skipReasons: readonly string[];
  readonly failReasons: readonly string[];
  readonly noBinOnFtp: string;
  readonly restricted: string;
  readonly categories: string;
  readonly maintainer: string;
  readonly scanDepends: readonly string[];
  /** kiln's keys, after pkgsrc's. */
  readonly runDepends: readonly string[];
  readonly comment: string;
  readonly homepage: string;
  readonly license: string;
  readonly makeJobsSafe: 'yes' | 'no';
  /** kiln's DISTFILES and MASTER_SITES (written only when the port has distfiles). */
  readonly distfiles?: readonly string[];
  readonly masterSites?: readonly string[];
  /** kiln's HOST_FEATURES: what a build host must offer (written only when there are some). */
  readonly hostFeatures?: readonly string[];
  /** kiln's USE_DISTCC=yes: the port compiles on its build host's distcc farm (written only when set). */
  readonly useDistcc?: boolean;
  /** Set only for a port that could not be scanned: the quoted error. */
  readonly scanError?: string;
}

/**
 * The block, in pscan's key order, then kiln's keys. Values are made one line
 * here whatever the caller passes: a block never spills into the next.
 */
export function formatBlock(fields: BlockFields): string {
  const lines: [string, string][] = [
    ['PKGNAME', fields.pkgname],
    ['PKG_LOCATION', fields.pkgpath],
    ['ALL_DEPENDS', fields.allDepends.join(' ')],
    ['PKG_SKIP_REASON', quoteReasons(fields.skipReasons)],
    ['PKG_FAIL_REASON', quoteReasons(fields.failReasons)],
    ['NO_BIN_ON_FTP', fields.noBinOnFtp],
    ['RESTRICTED', fields.restricted],
    ['CATEGORIES', fields.categories],
    ['MAINTAINER', fields.maintainer],
    ['USE_DESTDIR', 'user-destdir'],
    ['BOOTSTRAP_PKG', ''],
    ['USERGROUP_PHASE', ''],
    ['SCAN_DEPENDS', fields.scanDepends.join(' ')],
    ['RUN_DEPENDS', fields.runDepends.join(' ')],
    ['COMMENT', fields.comment],
    ['HOMEPAGE', fields.homepage],
    ['LICENSE', fields.license],
    ['MAKE_JOBS_SAFE', fields.makeJobsSafe],
  ];
  if (fields.distfiles !== undefined && fields.distfiles.length > 0) {
    lines.push(['DISTFILES', fields.distfiles.join(' ')], ['MASTER_SITES', (fields.masterSites ?? []).join(' ')]);
  }
  if (fields.hostFeatures !== undefined && fields.hostFeatures.length > 0) lines.push(['HOST_FEATURES', fields.hostFeatures.join(' ')]);
  if (fields.useDistcc === true) lines.push(['USE_DISTCC', 'yes']);
  if (fields.scanError !== undefined) lines.push(['KILN_SCAN_ERROR', fields.scanError]);
  return lines.map(([key, value]) => `${key}=${escapeControls(value, { short: true })}\n`).join('');
}

/**
 * The block of a port that could not be scanned. Its PKGNAME is the port's
 * directory name, so the resolver can tie dependencies on that directory to
 * it and block their dependents with the error as the reason.
 */
export function unscannableBlock(pkgpath: PkgPath, error: string): string {
  const reason = quoteReason(error);
  return formatBlock({
    pkgname: path.posix.basename(pkgpath), pkgpath, allDepends: [], skipReasons: [], failReasons: [error],
    noBinOnFtp: '', restricted: '', categories: pkgpath.split('/')[0] ?? '', maintainer: '', scanDepends: [],
    runDepends: [], comment: '', homepage: '', license: '', makeJobsSafe: 'yes', scanError: reason,
  });
}

const UNESCAPE: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r' };

/**
 * The reasons of a PKG_SKIP_REASON/PKG_FAIL_REASON value: each double-quoted
 * string, unescaped. A value that is not a list of quoted strings (pkgsrc
 * allows bare words) is one reason as it stands.
 */
export function unquoteReasons(value: string): string[] {
  const reasons: string[] = [];
  const quoted = /\s*"((?:[^"\\]|\\.)*)"\s*/y;
  let pos = 0;
  while (pos < value.length) {
    quoted.lastIndex = pos;
    const match = quoted.exec(value);
    if (!match) return value.trim() === '' ? [] : [value.trim()];
    reasons.push(match[1]!.replace(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|.)/g, (_, c: string) => UNESCAPE[c] ?? (c.length > 1 ? String.fromCharCode(parseInt(c.slice(1), 16)) : c)));
    pos = quoted.lastIndex;
  }
  return reasons;
}
