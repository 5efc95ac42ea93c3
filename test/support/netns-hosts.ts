// Test hosts on one machine: each host is a network namespace joined to the
// test by a veth pair on a private subnet, with its own sshd, host key,
// hostname and a private mount namespace (its own /tmp and its own home for
// the build user, and its own /root and /var/tmp), so nothing written on one
// host is seen on another or by the coordinator. Login is key-only, as a
// dedicated build user whose shell is /bin/sh, or as root. An `unreachable` route for the whole subnet is the safety net:
// when a link is down, test traffic is dropped here, never sent elsewhere.
//
// Use a distinct `prefix` and `subnet` per test file so files can run side
// by side. Needs root, iproute2, util-linux (unshare, nsenter), OpenSSH.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, open, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isLive, processesInNamespace, type HostProcess } from './host-processes.js';
import { clientConfig, sshdConfig } from './netns-config.js';
import { mustRun, runCommand, waitFor, type CommandResult } from './run-command.js';

export interface HostOptions {
  /** Commands left out of the build user's PATH on this host: `['node']`, `['bwrap']`. */
  readonly pathWithout?: readonly string[];
  /** Commands replaced on the login PATH by these /bin/sh scripts (fault injection): `{ bwrap: 'exit 1' }`. */
  readonly pathScripts?: Readonly<Record<string, string>>;
}

export interface ClusterOptions {
  /** 2–6 lower-case letters or digits, distinct per test file: names namespaces, veths, the user. */
  readonly prefix: string;
  /** The third octet X of this cluster's subnet 10.231.X.0/24, distinct per test file. */
  readonly subnet: number;
  /** How many hosts, or one options object per host. */
  readonly hosts: number | readonly HostOptions[];
}

export interface NetnsHost {
  /** The namespace's name, also the host's hostname and its alias in `sshConfig`. */
  readonly name: string;
  readonly address: string;
  /** `user@address`, what a hosts file names. */
  readonly destination: string;
  /** The pid of the host's listening sshd. */
  readonly sshdPid: number;
}

export interface NetnsCluster {
  /** The harness's files (keys, configs, logs); removed by teardown. */
  readonly dir: string;
  readonly user: string;
  readonly uid: number;
  /** The build user's home on every host (a private tmpfs on each). */
  readonly home: string;
  /** A client ssh_config for `ssh -F` (identity, known hosts, aliases). */
  readonly sshConfig: string;
  readonly hosts: readonly NetnsHost[];
  /** Drops the host's side of its link: packets vanish, as with a cut cable. */
  cut(host: NetnsHost): Promise<void>;
  restore(host: NetnsHost): Promise<void>;
  /** Runs argv on the host (its mount, UTS and network namespaces), as root or as the build user. */
  exec(host: NetnsHost, argv: readonly string[], options?: { readonly asUser?: boolean; readonly input?: string | Buffer }): Promise<CommandResult>;
  /** The processes on the host, the listening sshd included. */
  processes(host: NetnsHost): Promise<HostProcess[]>;
  /** Ends everything the harness made. Safe to call twice. */
  teardown(): Promise<void>;
}

/** Why test hosts cannot be made on this machine, or undefined when they can. */
export function clusterUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'test hosts need root (network namespaces, sshd, useradd)';
  return undefined;
}

interface HostState extends NetnsHost {
  readonly index: number;
  readonly outer: string;
  readonly inner: string;
  readonly sshd: ChildProcess;
}

export async function createCluster(options: ClusterOptions): Promise<NetnsCluster> {
  if (!/^[a-z][a-z0-9]{1,5}$/.test(options.prefix)) throw new Error(`bad prefix ${options.prefix}`);
  if (!Number.isInteger(options.subnet) || options.subnet < 0 || options.subnet > 255) throw new Error('bad subnet');
  const hostOptions: readonly HostOptions[] = typeof options.hosts === 'number'
    ? Array.from({ length: options.hosts }, () => ({})) : options.hosts;
  if (hostOptions.length < 1 || hostOptions.length > 63) throw new Error('1 to 63 hosts');
  const unavailable = clusterUnavailable();
  if (unavailable) throw new Error(unavailable);

  const prefix = options.prefix;
  const net = `10.231.${options.subnet}`;
  const user = `kiln-${prefix}`;
  const made: Array<() => Promise<void>> = []; // undo steps, run in reverse by teardown
  const hosts: HostState[] = [];
  const teardown = async (): Promise<void> => {
    const problems: string[] = [];
    for (const undo of made.splice(0).reverse()) {
      try { await undo(); } catch (err) { problems.push((err as Error).message); }
    }
    if (problems.length > 0) throw new Error(`teardown: ${problems.join('; ')}`);
  };

  try {
    const dir = await mkdtemp(`/var/tmp/kiln-netns-${prefix}-`); // not under /tmp: each host mounts its own /tmp
    await chmod(dir, 0o755);
    made.push(() => rm(dir, { recursive: true, force: true }));
    const home = join(dir, 'home');
    await mkdir(home, { mode: 0o755 });
    await mkdir('/run/sshd', { recursive: true }); // sshd's privilege separation dir; left for other sshds

    await removeLeftovers(prefix, hostOptions.length, user);
    await mustRun('ip', ['route', 'replace', 'unreachable', `${net}.0/24`]);
    made.push(async () => { await mustRun('ip', ['route', 'del', 'unreachable', `${net}.0/24`]); });

    await retryLocked(() => runCommand('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-p', '*', user]));
    made.push(async () => { await retryLocked(() => runCommand('userdel', ['-f', user])); });
    const uid = Number((await mustRun('id', ['-u', user])).stdout.toString().trim());
    const gid = Number((await mustRun('id', ['-g', user])).stdout.toString().trim());

    const clientKey = join(dir, 'client_key');
    await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `kiln-test-${prefix}`, '-f', clientKey]);
    const authorizedKeys = join(dir, 'authorized_keys');
    await writeFile(authorizedKeys, await readFile(`${clientKey}.pub`), { mode: 0o644 });
    await chmod(authorizedKeys, 0o644);

    const known: string[] = [];
    for (const [i, hopts] of hostOptions.entries()) {
      const index = i + 1;
      const name = `${prefix}${index}`;
      const outer = `${name}o`;
      const inner = `${name}i`;
      const address = `${net}.${4 * i + 2}`;
      await mustRun('ip', ['netns', 'add', name]);
      made.push(async () => { await mustRun('ip', ['netns', 'del', name]); });
      // This file's own veth, left by an earlier run whose namespace a process still held when it was deleted.
      await runCommand('ip', ['link', 'del', outer]);
      await mustRun('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
      await mustRun('ip', ['link', 'set', inner, 'netns', name]);
      await mustRun('ip', ['addr', 'add', `${net}.${4 * i + 1}/30`, 'dev', outer]);
      await mustRun('ip', ['link', 'set', outer, 'up']);
      await mustRun('ip', ['-n', name, 'addr', 'add', `${address}/30`, 'dev', inner]);
      await mustRun('ip', ['-n', name, 'link', 'set', inner, 'up']);
      await mustRun('ip', ['-n', name, 'link', 'set', 'lo', 'up']);

      const hostKey = join(dir, `${name}_host_key`);
      await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', hostKey]);
      known.push(`${address} ${(await readFile(`${hostKey}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ')}`);
      const path = hopts.pathWithout || hopts.pathScripts
        ? await restrictedPath(join(dir, `${name}-bin`), hopts.pathWithout ?? [], hopts.pathScripts ?? {}) : undefined;
      const conf = join(dir, `${name}_sshd_config`);
      const pidFile = join(dir, `${name}_sshd.pid`);
      await writeFile(conf, sshdConfig({ address, hostKey, pidFile, authorizedKeys, user, ...(path ? { path } : {}) }));
      const log = join(dir, `${name}_sshd.log`);
      const sshd = await startSshd(name, conf, log, { uid, gid, home, dir });
      const state: HostState = { name, address, destination: `${user}@${address}`, sshdPid: sshd.pid ?? -1, index, outer, inner, sshd };
      hosts.push(state);
      made.push(() => stopHost(state));
      if (!(await waitFor(async () => (await readFile(log, 'utf8')).includes('Server listening'), 10_000))) {
        throw new Error(`sshd on ${name} did not start: ${await readFile(log, 'utf8')}`);
      }
    }
    const knownHosts = join(dir, 'known_hosts');
    await writeFile(knownHosts, known.join('\n') + '\n');
    const sshConfig = join(dir, 'ssh_config');
    await writeFile(sshConfig, clientConfig({ hosts, user, identityFile: clientKey, knownHosts }));

    return {
      dir, user, uid, home, sshConfig, hosts, teardown,
      cut: async (h) => { await mustRun('ip', ['-n', h.name, 'link', 'set', innerOf(hosts, h), 'down']); },
      restore: async (h) => {
        await mustRun('ip', ['-n', h.name, 'link', 'set', innerOf(hosts, h), 'up']);
        // Forget the failed neighbour lookups of the cut, or the next connect sees "No route to host" for a while.
        await mustRun('ip', ['neigh', 'flush', 'dev', stateOf(hosts, h).outer]);
        await mustRun('ip', ['-n', h.name, 'neigh', 'flush', 'dev', innerOf(hosts, h)]);
      },
      exec: (h, argv, o = {}) => runCommand('nsenter', ['-t', String(h.sshdPid), '-m', '-u', '-n', '--',
        ...(o.asUser ? ['runuser', '-u', user, '--'] : []), ...argv], o.input === undefined ? {} : { input: o.input }),
      processes: (h) => processesInNamespace(h.name),
    };
  } catch (err) {
    await teardown().catch(() => undefined);
    throw err;
  }
}

function stateOf(hosts: readonly HostState[], h: NetnsHost): HostState {
  const state = hosts.find((s) => s.name === h.name);
  if (!state) throw new Error(`not a host of this cluster: ${h.name}`);
  return state;
}

const innerOf = (hosts: readonly HostState[], h: NetnsHost): string => stateOf(hosts, h).inner;

/**
 * sshd in the host's network namespace, with its own hostname, /tmp, /root,
 * /var/tmp and build user's home. The harness's directory lives in /var/tmp:
 * it is bound back (from the shell's working directory, which the new
 * /var/tmp hides) so sshd still finds its keys.
 */
async function startSshd(name: string, conf: string, log: string, who: { uid: number; gid: number; home: string; dir: string }): Promise<ChildProcess> {
  const logFile = await open(log, 'a');
  const script = 'cd "$6" && hostname "$1" && mount -t tmpfs -o mode=1777 tmpfs /var/tmp && mkdir -p "$6" && mount -c --bind . "$6" && cd / '
    + '&& mount -t tmpfs -o "uid=$2,gid=$3,mode=0700" tmpfs "$4" && mount -t tmpfs -o mode=1777 tmpfs /tmp '
    + '&& mount -t tmpfs -o mode=0700 tmpfs /root && exec /usr/sbin/sshd -D -e -f "$5"';
  // ip netns exec, unshare and sh all exec: the child's pid is sshd's.
  const child = spawn('ip', ['netns', 'exec', name, 'unshare', '--mount', '--uts', '--propagation', 'private', '--',
    'sh', '-c', script, 'sh', name, String(who.uid), String(who.gid), who.home, conf, who.dir], { stdio: ['ignore', logFile.fd, logFile.fd] });
  await new Promise<void>((resolve, reject) => { child.once('spawn', resolve); child.once('error', reject); });
  await logFile.close();
  return child;
}

/** Ends the host's sshd and every process left in its namespace, then the namespace goes with teardown. */
async function stopHost(h: HostState): Promise<void> {
  if (h.sshd.exitCode === null && h.sshd.signalCode === null) {
    const exited = new Promise<void>((r) => h.sshd.once('exit', () => r()));
    h.sshd.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (h.sshd.exitCode === null && h.sshd.signalCode === null) h.sshd.kill('SIGKILL');
  }
  // Sessions outlive the listening sshd: end what our sshd started, by pid.
  const left = async (): Promise<HostProcess[]> => (await processesInNamespace(h.name)).filter(isLive);
  for (const p of await left()) {
    try { process.kill(p.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  if (!(await waitFor(async () => (await left()).length === 0, 5000))) {
    throw new Error(`processes left on ${h.name}: ${(await left()).map((p) => `${p.pid} ${p.cmdline}`).join(', ')}`);
  }
}

/** A directory of links to every command on the usual PATH except `without`, and `scripts` in place of theirs. */
async function restrictedPath(dir: string, without: readonly string[], scripts: Readonly<Record<string, string>>): Promise<string> {
  await mkdir(dir, { mode: 0o755 });
  const seen = new Set([...without, ...Object.keys(scripts)]);
  for (const [command, body] of Object.entries(scripts)) await writeFile(join(dir, command), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  for (const from of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    let names: string[];
    try { names = await readdir(from); } catch { continue; }
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      await symlink(join(from, n), join(dir, n));
    }
  }
  return dir;
}

/** Removes namespaces and the user of an earlier run of the same test file that did not tear down. */
async function removeLeftovers(prefix: string, count: number, user: string): Promise<void> {
  const list = (await mustRun('ip', ['netns', 'list'])).stdout.toString();
  for (let i = 1; i <= count; i++) {
    const name = `${prefix}${i}`;
    if (list.split('\n').some((l) => l.split(' ')[0] === name)) await mustRun('ip', ['netns', 'del', name]);
  }
  if ((await runCommand('id', ['-u', user])).code === 0) await retryLocked(() => runCommand('userdel', ['-f', user]));
}

/** useradd/userdel fail with status 10 while another test holds /etc/passwd's lock: try again. */
async function retryLocked(run: () => Promise<CommandResult>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const r = await run();
    if (r.code === 0) return;
    if (r.code !== 10 || attempt >= 50) throw new Error(`user database: ${r.stderr.trim()} (${r.code})`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
