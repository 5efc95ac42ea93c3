// A package's packing list, `+CONTENTS`, in the form pkgsrc's pkg_create
// writes: `@cwd PREFIX`, `@name`, `@pkgdep` (run-time patterns), `@blddep`
// (exact build-time pkgnames), then each file relative to PREFIX followed by
// `@comment MD5:<hex>` (or `@comment Symlink:<target>`), then `@ignore`d
// metadata files. pkg_info, pkg_add and pkg_summary read it.

import { oneLine } from '../formats/one-line.js';

export interface PackingListFile {
  /** Relative to PREFIX. */
  readonly path: string;
  /** MD5 of a file's contents, lower-case hex. */
  readonly md5?: string;
  /** Target of a symlink. */
  readonly symlink?: string;
}

export interface PackingList {
  readonly pkgname: string;
  readonly prefix: string;
  /** Run-time dependency patterns (`@pkgdep`). */
  readonly pkgdeps: readonly string[];
  /** Exact pkgnames the package was built against (`@blddep`). */
  readonly blddeps: readonly string[];
  /** Conflict patterns (`@pkgcfl`). */
  readonly conflicts: readonly string[];
  readonly files: readonly PackingListFile[];
  /** Directories the package owns even when empty (`@pkgdir`). */
  readonly pkgdirs: readonly string[];
  /** Metadata files after the packing list (`@ignore`d): `+COMMENT`, ... */
  readonly metaFiles: readonly string[];
}

/** Why a name cannot stand in a packing list, or undefined when it can. */
export function unlistableName(path: string): string | undefined {
  if (path.includes('\n') || path.includes('\r')) return 'has a line break';
  if (path.startsWith('@')) return 'starts with @';
  if (path.startsWith('/')) return 'is absolute';
  if (path.split('/').some((part) => part === '..' || part === '.' || part === '')) return 'has an empty, . or .. component';
  return undefined;
}

/** Text of `+CONTENTS`; single-line values are assumed (see `unlistableName`). */
export function formatPackingList(list: PackingList): string {
  const lines: string[] = [`@cwd ${list.prefix}`, `@name ${list.pkgname}`];
  for (const pattern of list.pkgdeps) lines.push(`@pkgdep ${oneLine(pattern)}`);
  for (const pkgname of list.blddeps) lines.push(`@blddep ${oneLine(pkgname)}`);
  for (const pattern of list.conflicts) lines.push(`@pkgcfl ${oneLine(pattern)}`);
  for (const file of list.files) {
    lines.push(file.path);
    if (file.symlink !== undefined) lines.push(`@comment Symlink:${file.symlink}`);
    else if (file.md5 !== undefined) lines.push(`@comment MD5:${file.md5}`);
  }
  for (const dir of list.pkgdirs) lines.push(`@pkgdir ${dir}`);
  lines.push(`@cwd ${list.prefix}`);
  for (const meta of list.metaFiles) lines.push('@ignore', meta);
  return lines.join('\n') + '\n';
}

/** Reads `+CONTENTS` text; unknown commands are passed over, as pkg_info does. */
export function parsePackingList(text: string): PackingList {
  let pkgname = '';
  let prefix: string | undefined;
  const pkgdeps: string[] = [];
  const blddeps: string[] = [];
  const conflicts: string[] = [];
  const files: PackingListFile[] = [];
  const pkgdirs: string[] = [];
  const metaFiles: string[] = [];
  let ignoreNext = false;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith('@')) {
      if (ignoreNext) metaFiles.push(line);
      else files.push({ path: line });
      ignoreNext = false;
      continue;
    }
    const space = line.indexOf(' ');
    const command = space === -1 ? line : line.slice(0, space);
    const argument = space === -1 ? '' : line.slice(space + 1);
    switch (command) {
      case '@name': pkgname = argument; break;
      case '@cwd': prefix ??= argument; break;
      case '@pkgdep': pkgdeps.push(argument); break;
      case '@blddep': blddeps.push(argument); break;
      case '@pkgcfl': conflicts.push(argument); break;
      case '@pkgdir': pkgdirs.push(argument); break;
      case '@ignore': ignoreNext = true; break;
      case '@comment': attachComment(files, argument); break;
      default: break;
    }
  }
  return { pkgname, prefix: prefix ?? '', pkgdeps, blddeps, conflicts, files, pkgdirs, metaFiles };
}

function attachComment(files: PackingListFile[], comment: string): void {
  const last = files[files.length - 1];
  if (last === undefined) return;
  if (comment.startsWith('MD5:')) files[files.length - 1] = { ...last, md5: comment.slice(4) };
  else if (comment.startsWith('Symlink:')) files[files.length - 1] = { ...last, symlink: comment.slice(8) };
}
