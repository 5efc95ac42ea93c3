// One package's block of pkg_summary(5), in the order `pkg_info -X` writes
// it: PKGNAME, DEPENDS, CONFLICTS (from +CONTENTS), COMMENT, SIZE_PKG, the
// +BUILD_INFO variables pkg_info copies (in that file's order), FILE_NAME,
// FILE_SIZE, DESCRIPTION, then an empty line.

import { buildInfoLines } from './build-info.js';
import { parsePackingList } from './packing-list.js';

/** The metadata files of a package, as text. */
export interface PackageMetaFiles {
  readonly contents: string;
  readonly comment: string;
  readonly description: string;
  readonly buildInfo: string;
  readonly sizePkg: string | undefined;
}

export interface PackageFileFacts {
  readonly fileName: string;
  readonly fileSize: number;
}

/** The +BUILD_INFO variables pkg_info -X copies into pkg_summary. */
const SUMMARY_BUILD_INFO = new Set([
  'PKGPATH', 'CATEGORIES', 'PROVIDES', 'REQUIRES', 'PKG_OPTIONS', 'OPSYS', 'OS_VERSION', 'MACHINE_ARCH',
  'LICENSE', 'HOMEPAGE', 'PKGTOOLS_VERSION', 'BUILD_DATE', 'PREV_PKGPATH', 'SUPERSEDES',
]);

export function formatSummaryEntry(meta: PackageMetaFiles, file: PackageFileFacts): string {
  const list = parsePackingList(meta.contents);
  const lines: string[] = [`PKGNAME=${list.pkgname}`];
  for (const pattern of list.pkgdeps) lines.push(`DEPENDS=${pattern}`);
  for (const pattern of list.conflicts) lines.push(`CONFLICTS=${pattern}`);
  lines.push(...asVariable('COMMENT', meta.comment));
  if (meta.sizePkg !== undefined) lines.push(...asVariable('SIZE_PKG', meta.sizePkg));
  lines.push(...buildInfoLines(meta.buildInfo, SUMMARY_BUILD_INFO));
  lines.push(`FILE_NAME=${file.fileName}`, `FILE_SIZE=${file.fileSize}`);
  lines.push(...asVariable('DESCRIPTION', meta.description));
  return lines.map((line) => `${line}\n`).join('') + '\n';
}

/** pkg_info's print_string_as_var: one `VAR=line` per line of the value. */
function asVariable(name: string, value: string): string[] {
  const parts = value.split('\n');
  const last = parts.pop() ?? '';
  const lines = parts.map((part) => `${name}=${part}`);
  if (last !== '') lines.push(`${name}=${last}`);
  return lines;
}
