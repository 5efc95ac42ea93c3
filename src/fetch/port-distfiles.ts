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

/** Reads `<portDir>/distinfo` without following a symlink; undefined when there is none. */
async function readDistinfo(portDir: string): Promise<Distinfo | undefined | { error: string }> {
  let handle;
  try {
    handle = await open(join(portDir, 'distinfo'), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return { error: code === 'ELOOP' ? 'its distinfo is a symlink' : `cannot read its distinfo: ${(err as Error).message}` };
  }
  try {
    if (!(await handle.stat()).isFile()) return { error: 'its distinfo is not a file' };
    return parseDistinfo(await handle.readFile('utf8'));
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
