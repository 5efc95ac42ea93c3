// What the agent tells the coordinator about its host before any job: the
// coordinator, not the agent, decides whether that is good enough.

import { spawn } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { availableParallelism, machine, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { defaultSandboxConfig, type BuildUser } from '../../sandbox/sandbox-config.js';
import { unreachableBy } from '../../sandbox/scratch.js';
import { PROTOCOL, type HostFacts } from './protocol.js';

export async function hostFacts(root: string, leftoversEnded: number): Promise<HostFacts> {
  const user = defaultSandboxConfig().buildUser;
  let diskFreeMiB = 0;
  try {
    const fs = await statfs(root);
    diskFreeMiB = Math.floor((fs.bavail * fs.bsize) / (1024 * 1024));
  } catch {
    // reported as 0: the coordinator refuses the host for want of disk
  }
  return {
    protocol: PROTOCOL,
    arch: machine(),
    os: platform(),
    osRelease: release(),
    node: process.versions.node,
    cores: availableParallelism(),
    memoryMiB: Math.floor(totalmem() / (1024 * 1024)),
    diskFreeMiB,
    bwrap: await bwrapWorks(user),
    workDir: await workDirUsable(join(root, 'jobs'), user),
    leftoversEnded,
  };
}

/** Whether the build user (nobody, when the agent runs as root) can reach the jobs' directories, as every job's sandbox must. */
async function workDirUsable(jobs: string, user: BuildUser | undefined): Promise<HostFacts['workDir']> {
  if (user === undefined) return { ok: true, detail: `${jobs} is the login user's own` };
  const blocked = await unreachableBy(jobs, user);
  if (blocked === undefined) return { ok: true, detail: `the build user (uid ${user.uid}) can reach ${jobs}` };
  return { ok: false, detail: `the build user (uid ${user.uid}) cannot search ${blocked}, on the way to ${jobs}` };
}

/** Runs `true` in a throw-away bubblewrap sandbox with every namespace unshared, as the build user, as a job's would. */
function bwrapWorks(user: BuildUser | undefined): Promise<HostFacts['bwrap']> {
  return new Promise((resolve) => {
    const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--unshare-all', '--die-with-parent', '--', 'true'];
    const child = spawn('bwrap', args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: '/', ...(user !== undefined && { uid: user.uid, gid: user.gid }) });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString('utf8').slice(0, 2000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: err.code === 'ENOENT' ? 'bwrap (bubblewrap) is not on PATH' : `bwrap could not start: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true, detail: 'bwrap --unshare-all works' });
      else resolve({ ok: false, detail: `bwrap --unshare-all failed (${code ?? signal ?? '?'}): ${stderr.trim()}` });
    });
  });
}
