// Whom a tree's scans run as, whatever its kind.

import { realpath } from 'node:fs/promises';

import { type BuildUser, defaultSandboxConfig } from '../../sandbox/sandbox-config.js';
import { unreachableBy } from '../../sandbox/scratch.js';

/**
 * Whom a tree's scans run as. As root, the build user, so that a Portfile's
 * top level or a pkgsrc Makefile cannot read root-only files of the host
 * into its metadata; when that user cannot reach the tree, kiln's own user,
 * with a notice saying so and how to mend it.
 */
export async function scanUser(tree: string): Promise<{ user: BuildUser | undefined; notice?: string; blocked?: string }> {
  const user = defaultSandboxConfig().buildUser;
  if (user === undefined) return { user };
  const real = await realpath(tree).catch(() => tree);
  const blocked = await unreachableBy(real, user);
  if (blocked === undefined) return { user };
  return {
    user: undefined, blocked: `${blocked} is not searchable by the build user (uid ${user.uid})`,
    notice: `${blocked} is not searchable by the build user (uid ${user.uid}), so the scans of ${real} run with root's access to files; make the tree readable by all (chmod a+rX) to scan it as that user`,
  };
}
