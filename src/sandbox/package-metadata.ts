// The `+` files of a package, as pkgsrc's metadata.mk and pkg_create make
// them: +CONTENTS, +COMMENT, +DESC (DESCR, then the homepage), +BUILD_INFO,
// +SIZE_PKG (bytes of the files, symlinks counted by their target's length)
// and +SIZE_ALL (that plus the dependencies the package was built against).

import { hostname, machine, release, type, version } from 'node:os';

import { INPUTS_KEY } from '../core/job/build-stamp.js';
import { formatBuildInfo } from '../core/package-format/build-info.js';
import { formatPackingList } from '../core/package-format/packing-list.js';
import type { BuildJob } from '../job/build-job.js';
import type { StagedTree } from './package-walk.js';

/**
 * The pkg_install version packages claim to need. pkg_add refuses packages
 * newer than itself; kiln writes nothing pkg_install of 2009 cannot read.
 */
export const PKGTOOLS_VERSION = '20091115';

export interface MetaFile {
  readonly name: string;
  readonly text: string;
  readonly mode: number;
}

export interface MetadataInput {
  readonly job: BuildJob;
  readonly prefix: string;
  readonly tree: StagedTree;
  readonly description: string;
  readonly buildDate: Date;
  /** Sum of +SIZE_PKG of the packages installed for the build. */
  readonly dependencySize: number;
}

/** The `+` files in the order pkg_create puts them in the archive. */
export function metaFiles(input: MetadataInput): MetaFile[] {
  const { job, prefix, tree } = input;
  const meta = job.metadata;
  const sizePkg = tree.entries.reduce((total, entry) => total + entry.size, 0);
  const homepage = oneLine(meta.homepage);
  const description = ensureNewline(input.description === '' ? oneLine(meta.comment) : input.description)
    + (homepage === '' ? '' : `\nHomepage:\n${homepage}\n`);
  const buildInfo = formatBuildInfo([
    ['BUILD_DATE', formatBuildDate(input.buildDate)],
    ['BUILD_HOST', `${type()} ${hostname()} ${release()} ${version()} ${machine()}`],
    ['CATEGORIES', meta.categories],
    ['HOMEPAGE', homepage],
    [INPUTS_KEY, oneLine(meta.inputs ?? '')],
    ['LICENSE', meta.license],
    ['LOCALBASE', prefix],
    ['MACHINE_ARCH', machineArch()],
    ['MAINTAINER', meta.maintainer],
    ['OPSYS', type()],
    ['OS_VERSION', osVersion()],
    ['PKGPATH', job.pkgpath],
    ['PKGTOOLS_VERSION', PKGTOOLS_VERSION],
  ].filter(([, value]) => value !== '') as [string, string][]);
  const sizes: MetaFile[] = [
    { name: '+SIZE_PKG', text: `${sizePkg}\n`, mode: 0o444 },
    { name: '+SIZE_ALL', text: `${sizePkg + input.dependencySize}\n`, mode: 0o444 },
  ];
  const rest: MetaFile[] = [
    { name: '+COMMENT', text: `${oneLine(meta.comment)}\n`, mode: 0o444 },
    { name: '+DESC', text: description, mode: 0o444 },
    { name: '+BUILD_INFO', text: buildInfo, mode: 0o444 },
    ...sizes,
  ];
  const contents = formatPackingList({
    pkgname: job.pkgname,
    prefix,
    pkgdeps: meta.runDepends.map(oneLine),
    blddeps: meta.buildDepends.map(oneLine),
    conflicts: [],
    files: tree.entries.map((entry) => (entry.kind === 'symlink'
      ? { path: entry.path, symlink: entry.target ?? '' }
      : { path: entry.path, ...(entry.md5 !== undefined && { md5: entry.md5 }) })),
    pkgdirs: tree.emptyDirs,
    metaFiles: rest.map((file) => file.name),
  });
  return [{ name: '+CONTENTS', text: contents, mode: 0o644 }, ...rest];
}

/** pkgsrc's `date "+%Y-%m-%d %H:%M:%S %z"`, in UTC. */
export function formatBuildDate(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000`;
}

/** uname -m, with pkgsrc's i386 for every x86 of 32 bits. */
export function machineArch(): string {
  return machine().replace(/^i[3-6]86$/, 'i386');
}

/** pkgsrc on Linux: `uname -r` up to the first `-`. */
export function osVersion(): string {
  return release().replace(/-.*$/, '');
}

function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
