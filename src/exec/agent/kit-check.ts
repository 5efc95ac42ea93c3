// Before a host takes pkgsrc jobs, as dpb checks a host's library
// signatures: the bootstrap kit the coordinator sent must be a kit (one
// PREFIX, the package tools), install at the PREFIX the coordinator builds
// for, and its make and pkg_info must run on this host (its arch, its
// libc). The kit is unpacked into a throw-away directory; nothing is
// installed.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readBootstrapKit, unpackKit } from '../../sandbox/bootstrap-kit.js';

const RUN_TIMEOUT_MS = 30_000;

export async function checkKit(file: string, prefix: string, make: string, root: string): Promise<{ ok: boolean; detail: string }> {
  const read = await readBootstrapKit(file);
  if (!read.ok) return { ok: false, detail: read.reason };
  if (read.kit.prefix !== prefix) return { ok: false, detail: `the kit installs at ${read.kit.prefix}, not ${prefix}` };
  const dir = await mkdtemp(join(root, 'kit-check-'));
  try {
    const failed = await unpackKit(read.kit, dir);
    if (failed !== undefined) return { ok: false, detail: failed };
    // The kit's programs run from where it was unpacked; a make outside the kit must be on the host.
    const here = (program: string): string => (program.startsWith(`${prefix}/`) ? join(dir, program) : program);
    const pkgInfo = `${prefix}/sbin/pkg_info`;
    const problem = await runs(make, here(make), ['-r', '-f', '/dev/null', '-V', '.MAKE']) ?? await runs(pkgInfo, here(pkgInfo), ['-V']);
    return problem === undefined ? { ok: true, detail: `${make} and ${pkgInfo} run here` } : { ok: false, detail: problem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Why `program` (known to the user as `name`) does not run here, or undefined. */
function runs(name: string, program: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: RUN_TIMEOUT_MS, env: { PATH: '/usr/bin:/bin' } }, (err, _stdout, stderr) => {
      resolve(err === null ? undefined : `${name} does not run here: ${(stderr.trim() || err.message).slice(0, 2000)}`);
    });
  });
}
