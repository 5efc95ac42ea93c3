// A pkgsrc bootstrap kit: the tarball `bootstrap --gzip-binary-kit` makes
// (what pbulk unpacks over / before every package). kiln reads where it
// installs (PREFIX: the one directory every file of the kit lies under, the
// package database and VARBASE included), checks that it holds the package
// tools, and unpacks it into a fresh PREFIX for each job.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { createGunzip } from 'node:zlib';

import { TarScanner } from '../core/package-format/tar-scanner.js';

export interface BootstrapKit {
  /** Absolute path of the kit tarball on this host. */
  readonly file: string;
  /** Where the kit installs: `/usr/pkg`. */
  readonly prefix: string;
  /** The kit's SHA-256, hex: it identifies the make and mk files a scan ran. */
  readonly sha256: string;
}

export type KitResult = { readonly ok: true; readonly kit: BootstrapKit } | { readonly ok: false; readonly reason: string };

/** The tools a job runs from the fresh prefix, relative to it. */
export const KIT_TOOLS = ['sbin/pkg_add', 'sbin/pkg_delete', 'sbin/pkg_info', 'sbin/pkg_create'] as const;

/**
 * PREFIX from the kit's member paths: the deepest directory all files lie
 * under. Undefined when that is `/` or a system directory kiln cannot
 * replace per job.
 */
export function kitPrefix(members: readonly string[]): string | undefined {
  let common: string[] | undefined;
  for (const member of members) {
    const parts = posix.normalize(`/${member}`).split('/').filter((part) => part !== '');
    if (parts.length === 0) continue;
    if (common === undefined) {
      common = parts;
      continue;
    }
    let n = 0;
    while (n < common.length && n < parts.length && common[n] === parts[n]) n++;
    common = common.slice(0, n);
  }
  // A directory entry of the prefix itself (`./usr/pkg/`) is the prefix; a file alone is not.
  if (common === undefined || common.length === 0) return undefined;
  const prefix = `/${common.join('/')}`;
  return ['/usr', '/etc', '/bin', '/sbin', '/lib', '/var', '/opt', '/tmp', '/build'].includes(prefix) ? undefined : prefix;
}

/** Reads the kit: its prefix, its hash, and whether the package tools are in it. */
export async function readBootstrapKit(file: string): Promise<KitResult> {
  const members: string[] = [];
  const hash = createHash('sha256');
  const input = createReadStream(file);
  const gunzip = createGunzip();
  const scanner = new TarScanner(() => false);
  input.on('data', (chunk) => hash.update(chunk as Buffer));
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) {
      const step = scanner.push(chunk as Buffer);
      if (step.error !== undefined) return { ok: false, reason: `bootstrap kit ${file} is not a readable tar archive: ${step.error}` };
      for (const member of step.members) members.push(member.type === 'directory' ? `${member.path}/.` : member.path);
    }
  } catch (err) {
    return { ok: false, reason: `cannot read the bootstrap kit ${file}: ${(err as Error).message}` };
  }
  const files = members.filter((member) => !member.endsWith('/.'));
  const prefix = kitPrefix(files.length > 0 ? files : members);
  if (prefix === undefined) {
    return { ok: false, reason: `bootstrap kit ${file} does not install under one prefix (make it with --prefix, --pkgdbdir and --varbase in one directory)` };
  }
  const present = new Set(files.map((member) => posix.normalize(`/${member}`)));
  const absent = KIT_TOOLS.filter((tool) => !present.has(`${prefix}/${tool}`));
  if (absent.length > 0) return { ok: false, reason: `bootstrap kit ${file} lacks ${absent.map((tool) => `${prefix}/${tool}`).join(', ')}` };
  return { ok: true, kit: { file, prefix, sha256: hash.digest('hex') } };
}

/** Unpacks the kit under `dir` (its files land in `dir` + PREFIX), as its owner; the error says why not. */
export function unpackKit(kit: BootstrapKit, dir: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const tar = spawn('tar', ['-xzf', kit.file, '-C', dir, '--no-same-owner'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    tar.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    tar.on('error', (err) => resolve(`cannot run tar: ${err.message}`));
    tar.on('close', (status) => resolve(status === 0 ? undefined : `tar could not unpack ${kit.file}: ${stderr.trim() || `exit status ${status}`}`));
  });
}
