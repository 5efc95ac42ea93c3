// What a port asks to fetch: the names in its block's DISTFILES, each with
// its size and checksums from the port's distinfo and the URLs to try
// (the override sites, then MASTER_SITES). A port whose distfiles cannot
// be checked (no distinfo, no checksum for a file) gets the reason instead.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

import { checksumsFor, distfileNameProblem, parseDistinfo, type Distinfo } from '../core/distfiles/distinfo.js';
import { candidateUrls } from '../core/distfiles/fetch-order.js';
import type { DistfileRequest } from './fetch-distfile.js';

export type PortDistfiles =
  | { readonly ok: true; readonly requests: readonly DistfileRequest[] }
  | { readonly ok: false; readonly reason: string };

/** The words of a block value (DISTFILES, MASTER_SITES). */
export function words(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((word) => word !== '');
}

/** A distinfo larger than this is not one (pkgsrc's largest are a few KiB). */
const MAX_DISTINFO_BYTES = 1 << 20;

/**
 * Reads `<portDir>/distinfo` as root without following a symlink or
 * blocking on a FIFO (sandbox/no-follow.ts's flags; src/fetch may not import
 * src/sandbox), and no bigger than MAX_DISTINFO_BYTES; undefined when there is none.
 */
async function readDistinfo(portDir: string): Promise<Distinfo | undefined | { error: string }> {
  let handle;
  try {
    handle = await open(join(portDir, 'distinfo'), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return { error: code === 'ELOOP' ? 'its distinfo is a symlink' : `cannot read its distinfo: ${(err as Error).message}` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { error: 'its distinfo is not a regular file' };
    if (info.size > MAX_DISTINFO_BYTES) return { error: `its distinfo is larger than ${MAX_DISTINFO_BYTES} bytes` };
    const buffer = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
    return parseDistinfo(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

export async function portDistfiles(portDir: string, distfiles: readonly string[], sites: readonly string[], override: readonly string[]): Promise<PortDistfiles> {
  const distinfo = await readDistinfo(portDir);
  if (distinfo !== undefined && 'error' in distinfo) return { ok: false, reason: distinfo.error };
  const requests: DistfileRequest[] = [];
  const problems: string[] = [];
  for (const name of distfiles) {
    const bad = distfileNameProblem(name);
    if (bad !== undefined) {
      problems.push(`bad distfile name ${JSON.stringify(name)}: ${bad}`);
      continue;
    }
    const sums = checksumsFor(distinfo, name);
    if (!sums.ok) problems.push(sums.reason);
    else requests.push({ name, size: sums.size, digests: sums.digests, urls: candidateUrls(name, sites, override) });
  }
  return problems.length > 0 ? { ok: false, reason: problems.join('; ') } : { ok: true, requests };
}

/** Where a port's distfiles come from: its directory (for its distinfo), its DISTFILES and MASTER_SITES. */
export interface PortSource {
  readonly port: string;
  readonly dir: string;
  readonly distfiles: readonly string[];
  readonly sites: readonly string[];
}

/** Each port's requests, or why it has none it can fetch; a distinfo that cannot be read is a reason, not a throw. */
export function readPorts(ports: readonly PortSource[], override: readonly string[]): Promise<Array<{ readonly port: string; readonly distfiles: PortDistfiles }>> {
  return Promise.all(ports.map(async ({ port, dir, distfiles, sites }) => ({
    port,
    distfiles: await portDistfiles(dir, distfiles, sites, override)
      .catch((err: unknown): PortDistfiles => ({ ok: false, reason: `cannot read its distinfo: ${(err as Error).message}` })),
  })));
}
