// The path from a sandbox to its host's distcc farm, and nothing else. The
// sandbox has no network of its own; kiln listens, outside it, on one Unix
// socket per distccd server (in a directory of its own under the system's
// temporary directory, since a socket's path must be short; bound into the
// sandbox at /build/distcc) and relays what comes to the socket to that one
// server's TCP port. Inside, distcc runs in its SSH mode (`@host` entries of
// DISTCC_HOSTS) with DISTCC_SSH set to a small connector that joins its
// stdin and stdout to the socket: distccd's protocol is the same over a
// pipe as over TCP. So no address inside the sandbox leads anywhere, and
// the relay connects only to the servers the hosts file lists. Which
// compiler runs distcc is the recipe's: a Portfile's build gets
// DISTCC_COMPILERS, pkgsrc's own mk/compiler/distcc.mk puts distcc before
// the port's compiler and passes DISTCC_HOSTS and DISTCC_SSH on to it.

import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DistccServer } from '../job/build-job.js';
import type { JobMount } from './bwrap-mounts.js';
import type { BuildUser } from './sandbox-config.js';

/** Where the relay's sockets and connector are inside the sandbox, and node to run the connector. */
const INSIDE = '/build/distcc';
const NODE_INSIDE = '/build/kiln-node';
/** A Unix socket's path must fit sockaddr_un (108 bytes with its NUL). */
const SOCKET_PATH_MAX = 107;

/** The connector distcc runs as its "ssh": it finds `kiln-distcc-N` among its arguments and joins stdin and stdout to socket N. */
const CONNECTOR = `#!${NODE_INSIDE}
'use strict';
const net = require('node:net');
const at = process.argv.slice(2).map((a) => /^kiln-distcc-(\\d+)$/.exec(a)).find((m) => m !== null);
if (at === undefined) { process.stderr.write('kiln distcc connector: no kiln-distcc-N host among ' + JSON.stringify(process.argv.slice(2)) + '\\n'); process.exit(2); }
const socket = net.connect('${INSIDE}/' + at[1] + '.sock');
socket.on('error', (err) => { process.stderr.write('kiln distcc connector: ' + err.message + '\\n'); process.exit(1); });
process.stdin.pipe(socket);
socket.pipe(process.stdout);
`;

/** A build that does not choose its compiler itself compiles through distcc with these. */
export const DISTCC_COMPILERS: Readonly<Record<string, string>> = { CC: 'distcc cc', CXX: 'distcc c++' };

export interface DistccRelay {
  /** What the build step gets: the relay's directory and node, read-only. */
  readonly mounts: readonly JobMount[];
  /** distcc's settings: DISTCC_HOSTS and DISTCC_SSH. */
  readonly env: Readonly<Record<string, string>>;
  /** Connections relayed to each server so far (one per compilation sent), in the servers' order. */
  sent(): readonly number[];
  close(): Promise<void>;
}

export type RelayResult = { readonly ok: true; readonly relay: DistccRelay } | { readonly ok: false; readonly reason: string };

/**
 * Opens the relay in a new directory under `base` (default: the system's
 * temporary directory), named as a scratch directory of this process is
 * (`kiln-distcc-<pid>-XXXXXX`, as leftovers.ts knows them), so one a killed kiln left is removed with those.
 * Only this process and `user` (the build user, through its group) may
 * reach its sockets: another user of the host is not to compile on the farm
 * in this host's name.
 */
export async function openDistccRelay(servers: readonly DistccServer[], user?: BuildUser, base = tmpdir()): Promise<RelayResult> {
  let dir: string;
  try {
    dir = await mkdtemp(join(base, `kiln-distcc-${process.pid}-`));
  } catch (err) {
    return { ok: false, reason: `cannot make the distcc relay's directory in ${base}: ${(err as Error).message}` };
  }
  const longest = join(dir, `${servers.length - 1}.sock`);
  if (Buffer.byteLength(longest) > SOCKET_PATH_MAX) {
    await rm(dir, { recursive: true, force: true });
    return { ok: false, reason: `the distcc relay's socket path ${longest} is too long for a Unix socket: give the host a shorter TMPDIR` };
  }
  const servers_: Server[] = [];
  const open = new Set<Socket>();
  const counts = servers.map(() => 0);
  const closeAll = async (): Promise<void> => {
    for (const socket of open) socket.destroy();
    await Promise.all(servers_.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const only = async (path: string, mode: number): Promise<void> => {
      if (user !== undefined) await chown(path, process.getuid?.() ?? 0, user.gid);
      await chmod(path, user === undefined ? mode & 0o700 : mode);
    };
    await only(dir, 0o710);
    await writeFile(join(dir, 'connect'), CONNECTOR, { mode: 0o700 });
    await only(join(dir, 'connect'), 0o750);
    for (const [index, server] of servers.entries()) {
      const listener = createServer((inner) => {
        counts[index]! += 1;
        const outer = connect({ host: server.host, port: server.port });
        for (const socket of [inner, outer]) {
          open.add(socket);
          socket.on('close', () => open.delete(socket));
          socket.on('error', () => { inner.destroy(); outer.destroy(); });
        }
        inner.pipe(outer);
        outer.pipe(inner);
      });
      servers_.push(listener);
      const path = join(dir, `${index}.sock`);
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(path, () => { listener.off('error', reject); resolve(); });
      });
      await only(path, 0o660);
    }
  } catch (err) {
    await closeAll();
    return { ok: false, reason: `cannot open the distcc relay in ${dir}: ${(err as Error).message}` };
  }
  return {
    ok: true,
    relay: {
      mounts: [{ source: dir, dest: INSIDE, writable: false }, { source: process.execPath, dest: NODE_INSIDE, writable: false }],
      env: {
        DISTCC_HOSTS: servers.map((s, i) => `@kiln-distcc-${i}/${s.limit}`).join(' '),
        DISTCC_SSH: `${INSIDE}/connect`,
      },
      sent: () => [...counts],
      close: closeAll,
    },
  };
}
