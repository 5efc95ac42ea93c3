// WRKSRC starts as a copy of the port directory, made by kiln as root and
// handed to the build user. A port is files, directories and symlinks: a
// symlink is copied as a symlink and given away with lchown (its target,
// which may be any host file, is never touched), files are opened with
// O_NOFOLLOW | O_NONBLOCK and given away by descriptor, and the port
// directory itself must be reached from the tree through directories
// only. What a port holds that cannot be copied (a FIFO, a device, a name
// that is not UTF-8) is the port's fault, said in its log.

import { lchown, lstat, lutimes, mkdir, open, readdir, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';

import { directoriesBeneath, fileKind, READ_NO_FOLLOW, utf8Name } from './no-follow.js';
import type { BuildUser } from './sandbox-config.js';

export type PortCopy =
  | { readonly ok: true }
  /** The port's own fault: `detail` for its log. */
  | { readonly ok: false; readonly kind: 'port'; readonly detail: string }
  /** Not the port's: the tree is missing here, the scratch disk full. */
  | { readonly ok: false; readonly kind: 'host'; readonly detail: string };

class PortFault extends Error {}

const CHUNK = 1 << 20;

/** Copies `<tree>/<pkgpath>` into `to` (an empty directory kiln made), owned by `user` when given. */
export async function copyPortDir(tree: string, pkgpath: string, to: string, user: BuildUser | undefined): Promise<PortCopy> {
  const way = await directoriesBeneath(tree, pkgpath).catch((err: Error) => ({ ok: false as const, host: err.message }));
  if (!way.ok) {
    return 'host' in way
      ? { ok: false, kind: 'host', detail: `cannot read the port directory ${join(tree, pkgpath)}: ${way.host}` }
      : { ok: false, kind: 'port', detail: `the port directory ${pkgpath} is not a plain directory of the tree: ${way.reason}; kiln does not follow it` };
  }
  if (!way.present) return { ok: false, kind: 'host', detail: `port directory ${join(tree, pkgpath)} does not exist on this host` };
  try {
    await copyDir(Buffer.from(join(tree, pkgpath)), Buffer.from(to), '', user);
    return { ok: true };
  } catch (err) {
    if (err instanceof PortFault) return { ok: false, kind: 'port', detail: err.message };
    return { ok: false, kind: 'host', detail: `cannot copy the port directory ${join(tree, pkgpath)} to ${to}: ${(err as Error).message}` };
  }
}

async function copyDir(from: Buffer, to: Buffer, shown: string, user: BuildUser | undefined): Promise<void> {
  const info = await lstat(from);
  if (shown !== '') await mkdir(to, { mode: 0o700 });
  for (const name of await readdir(from, { encoding: 'buffer' })) {
    const text = utf8Name(name);
    const rel = shown === '' ? `${text}` : `${shown}/${text}`;
    if (text === undefined) {
      throw new PortFault(`the port holds a file name that is not UTF-8 (${JSON.stringify(name.toString('latin1'))} under ${shown || 'its directory'}); rename it`);
    }
    const source = Buffer.concat([from, Buffer.from('/'), name]);
    const dest = Buffer.concat([to, Buffer.from('/'), name]);
    const entry = await lstat(source);
    if (entry.isDirectory()) await copyDir(source, dest, rel, user);
    else if (entry.isSymbolicLink()) {
      await symlink(await readlink(source, { encoding: 'buffer' }), dest);
      await lutimes(dest, entry.atime, entry.mtime);
      if (user !== undefined) await lchown(dest, user.uid, user.gid);
    } else if (entry.isFile()) await copyFile(source, dest, rel, user);
    else throw new PortFault(`the port file ${rel} is ${fileKind(entry)}: a port directory holds files, directories and symlinks only`);
  }
  const handle = await open(to, 'r');
  try {
    await handle.chmod(info.mode & 0o777);
    if (user !== undefined) await handle.chown(user.uid, user.gid);
    await handle.utimes(info.atime, info.mtime);
  } finally {
    await handle.close();
  }
}

async function copyFile(from: Buffer, to: Buffer, rel: string, user: BuildUser | undefined): Promise<void> {
  const source = await open(from, READ_NO_FOLLOW);
  try {
    const info = await source.stat();
    if (!info.isFile()) throw new PortFault(`the port file ${rel} changed while it was copied`);
    const dest = await open(to, 'wx', 0o600);
    try {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, info.size)));
      for (;;) {
        const { bytesRead } = await source.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        await dest.write(buffer, 0, bytesRead);
      }
      if (user !== undefined) await dest.chown(user.uid, user.gid);
      await dest.chmod(info.mode & 0o777);
      await dest.utimes(info.atime, info.mtime);
    } finally {
      await dest.close();
    }
  } finally {
    await source.close();
  }
}
