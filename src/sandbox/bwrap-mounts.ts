// The sandbox's file system as a list of bubblewrap mount operations. The
// root is bwrap's own tmpfs, made read-only last; the host's system paths
// are bound read-only at their own place; the job's directories are bound
// over fresh mount points. A read-only bind cannot take a new mount point
// inside it (mkdir fails), so a host directory that must hold one (PREFIX
// /usr/pkg on a host without /usr/pkg) is rebuilt on the tmpfs from its
// children, all but the one on the way to the mount point bound as before.

import { posix } from 'node:path';

export type MountOp =
  | { readonly op: 'ro-bind'; readonly source: string; readonly dest: string }
  | { readonly op: 'bind'; readonly source: string; readonly dest: string }
  | { readonly op: 'symlink'; readonly target: string; readonly dest: string }
  | { readonly op: 'dir'; readonly dest: string }
  | { readonly op: 'tmpfs'; readonly dest: string }
  | { readonly op: 'remount-ro'; readonly dest: string }
  | { readonly op: 'dev'; readonly dest: string }
  | { readonly op: 'proc'; readonly dest: string };

/** What the plan needs to know of the host's file system. */
export interface HostView {
  kind(path: string): 'dir' | 'symlink' | 'other' | 'missing';
  readlink(path: string): string;
  list(path: string): string[];
}

/** A directory of the job bound into the sandbox. */
export interface JobMount {
  readonly source: string;
  readonly dest: string;
  readonly writable: boolean;
}

export interface MountRequest {
  readonly hostPaths: readonly string[];
  readonly hiddenPaths: readonly string[];
  readonly mounts: readonly JobMount[];
}

export type MountPlan = { readonly ok: true; readonly ops: readonly MountOp[] } | { readonly ok: false; readonly reason: string };

export function planMounts(request: MountRequest, host: HostView): MountPlan {
  const dests = request.mounts.map((mount) => mount.dest);
  const hidden = request.hiddenPaths.filter((path) => host.kind(path) === 'dir' && !dests.some((dest) => within(path, dest)));
  // Mount points that do not exist in the host's tree and are not on a hidden tmpfs.
  const newPoints = dests.filter((dest) => host.kind(dest) !== 'dir' && !hidden.some((path) => within(dest, path)));
  const ops: MountOp[] = [];
  const problems: string[] = [];

  const expose = (path: string): void => {
    if (dests.includes(path) || hidden.includes(path)) return;
    switch (host.kind(path)) {
      case 'missing':
        return;
      case 'symlink':
        if (newPoints.some((dest) => dest.startsWith(`${path}/`))) problems.push(`${newPoints.find((d) => d.startsWith(`${path}/`)) ?? path} lies under the host symlink ${path}`);
        ops.push({ op: 'symlink', target: host.readlink(path), dest: path });
        return;
      case 'other':
        ops.push({ op: 'ro-bind', source: path, dest: path });
        return;
      case 'dir':
        if (!newPoints.some((dest) => dest.startsWith(`${path}/`))) {
          ops.push({ op: 'ro-bind', source: path, dest: path });
          return;
        }
        ops.push({ op: 'dir', dest: path });
        for (const child of [...host.list(path)].sort()) expose(posix.join(path, child));
        return;
    }
  };

  for (const path of request.hostPaths) expose(path);
  if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
  for (const path of hidden) ops.push({ op: 'tmpfs', dest: path });
  ops.push({ op: 'dev', dest: '/dev' }, { op: 'proc', dest: '/proc' });
  const byDepth = [...request.mounts].sort((a, b) => depth(a.dest) - depth(b.dest));
  for (const mount of byDepth) ops.push({ op: mount.writable ? 'bind' : 'ro-bind', source: mount.source, dest: mount.dest });
  for (const path of hidden) ops.push({ op: 'remount-ro', dest: path });
  ops.push({ op: 'remount-ro', dest: '/' });
  return { ok: true, ops };
}

/** `path` is `base` or below it. */
function within(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`);
}

function depth(path: string): number {
  return path.split('/').length;
}

/** bwrap's command-line options for the plan. */
export function mountArgs(ops: readonly MountOp[]): string[] {
  return ops.flatMap((op): string[] => {
    switch (op.op) {
      case 'ro-bind': return ['--ro-bind', op.source, op.dest];
      case 'bind': return ['--bind', op.source, op.dest];
      case 'symlink': return ['--symlink', op.target, op.dest];
      case 'dir': return ['--dir', op.dest];
      case 'tmpfs': return ['--tmpfs', op.dest];
      case 'remount-ro': return ['--remount-ro', op.dest];
      case 'dev': return ['--dev', op.dest];
      case 'proc': return ['--proc', op.dest];
    }
  });
}
